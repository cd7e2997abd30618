"""Serving the HRMS stand-in on loopback (uvicorn in a thread, or the foreground).

``requests`` counts the HTTP requests it answered (the tests count them);
``fault`` makes it misbehave: ``"hang"``, ``"http-500"``, ``"invalid-json"``,
``"errors-without-data"``, ``"extra-fields"``, ``"wrong-types"``,
``"more-entities"``, ``"oversized"``; ``tokens`` keeps the bearer tokens seen.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.standin import StandInServer
from plugins.subgraphs.standin.hrms import build_schema


def _tamper(body: dict[str, Any], fault: str) -> dict[str, Any]:
    data = body.get("data") or {}
    for key, value in list(data.items()):
        if fault == "more-entities" and isinstance(value, list) and key.startswith("e"):
            value.append(value[0] if value else None)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                _tamper_object(item, fault)
    return body


def _tamper_object(obj: dict[str, Any], fault: str) -> None:
    for key, value in list(obj.items()):
        if fault == "wrong-types" and key == "cadre":
            obj[key] = 42
        if isinstance(value, dict):
            _tamper_object(value, fault)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, dict):
                    _tamper_object(v, fault)
    if fault == "extra-fields":
        obj["salary"] = 123456


class HrmsStandIn(StandInServer):
    label = "HRMS stand-in"

    def __init__(self, port: int = 0) -> None:
        self.schema = build_schema()
        super().__init__(port)
        self.requests = 0
        self.documents: list[str] = []
        self.tokens: list[str | None] = []
        self.fault: str | None = None

    async def handle(self, request: Request) -> Response:
        try:
            payload = orjson.loads(await request.body())
            query, variables = payload["query"], payload.get("variables")
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Response(b'{"errors":[{"message":"bad request"}]}', status_code=400)
        is_sdl = "_service" in query
        if not is_sdl:
            self.requests += 1
            self.documents.append(query)
            self.tokens.append(request.headers.get("authorization"))
        fault = None if is_sdl else self.fault
        if fault == "hang":
            await asyncio.sleep(3600)
        if fault == "http-500":
            return Response("internal error", status_code=500)
        if fault == "invalid-json":
            return Response(b'{"data": {"e0": [', media_type="application/json")
        if fault == "errors-without-data":
            return Response(
                orjson.dumps({"errors": [{"message": "HRMS database is down"}]}),
                media_type="application/json",
            )
        if fault == "oversized":
            return Response(
                orjson.dumps({"data": {"padding": "x" * 5_000_000}}), media_type="application/json"
            )
        result = await self.schema.execute(query, variable_values=variables)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
        if fault:
            body = _tamper(body, fault)
        return Response(orjson.dumps(body), media_type="application/json")
