"""The floor: a Starlette endpoint answering each operation with a recorded
gateway answer of the same size (``BENCH_STATIC_FILE``, keyed by ``?op=``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ANSWERS = {
    op: body.encode() for op, body in json.loads(Path(os.environ["BENCH_STATIC_FILE"]).read_text()).items()
}


async def graphql(request: Request) -> Response:
    await request.body()  # read the request as a server must
    return Response(ANSWERS[request.query_params.get("op", "dashboard")], media_type="application/json")


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)])
