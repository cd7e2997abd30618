"""The stand-in server: graphql-core over ``provider_api.graphql``, on uvicorn.

``StandIn(programmes).start()`` serves on 127.0.0.1 (a free port unless one is
given) in a background thread; ``stop()`` closes the socket, so clients see a
refused connection, as with a real outage; ``start()`` again reopens the same
port. ``fault`` makes it misbehave on purpose: ``"http-500"``,
``"invalid-json"``, ``"graphql-error"``, ``"hang"`` (accepts, never answers),
``"misorder"`` (breaks the protocol: ``courses(ids)`` out of order).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import re
from pathlib import Path
from typing import Any

import orjson
from graphql import build_schema, graphql
from starlette.requests import Request
from starlette.responses import Response

from gateway import provider_api
from gateway.standin import StandInServer

SDL = (Path(provider_api.__file__).resolve().parent / "provider_api.graphql").read_text()
MAX_FIRST = 1000
_WORD = re.compile(r"\w+")


def _page(items: list[dict[str, Any]], first: int, after: str | None) -> dict[str, Any]:
    if not 1 <= first <= MAX_FIRST:
        raise ValueError(f"first must be 1..{MAX_FIRST}")
    start = int(base64.b64decode(after).decode()) if after else 0
    page = items[start : start + first]
    end = start + len(page)
    return {
        "nodes": page,
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": end < len(items),
            "endCursor": base64.b64encode(str(end).encode()).decode() if page else after,
        },
    }


class Catalogue:
    """The resolvers, over a list of programmes in the provider API's shape."""

    def __init__(self, programmes: list[dict[str, Any]]) -> None:
        self.programmes = programmes
        self.by_id = {p["id"]: p for p in programmes}
        self.misorder = False

    def courses(self, _info: Any, ids: list[str]) -> list[dict[str, Any] | None]:
        found = [self.by_id.get(i) for i in ids]
        return list(reversed(found)) if self.misorder else found

    def coursesUpdatedSince(
        self, _info: Any, since: str | None = None, first: int = 100, after: str | None = None
    ) -> dict[str, Any]:
        items = sorted(self.programmes, key=lambda p: (p["updatedAt"], p["id"]))
        if since is not None:
            limit = dt.datetime.fromisoformat(since)
            items = [p for p in items if dt.datetime.fromisoformat(p["updatedAt"]) > limit]
        return _page(items, first, after)

    def search(
        self, _info: Any, text: str | None = None, first: int = 100, after: str | None = None
    ) -> dict[str, Any]:
        terms = _WORD.findall((text or "").casefold())
        items = sorted(self.programmes, key=lambda p: p["id"])
        if terms:
            items = [p for p in items if _matches(p, terms)]
        return _page(items, first, after)


def _matches(programme: dict[str, Any], terms: list[str]) -> bool:
    words = _WORD.findall(f"{programme['title']} {programme['description']}".casefold())
    return all(any(w.startswith(t) for w in words) for t in terms)


class StandIn(StandInServer):
    label = "IGNOU stand-in"

    """IGNOU's catalogue service, for tests and the demo."""

    def __init__(self, programmes: list[dict[str, Any]], port: int = 0) -> None:
        self.catalogue = Catalogue(programmes)
        self.schema = build_schema(SDL)
        super().__init__(port)
        self.requests = 0
        self.fault: str | None = None

    async def handle(self, request: Request) -> Response:
        self.requests += 1
        self.catalogue.misorder = self.fault == "misorder"
        if self.fault == "hang":
            await asyncio.sleep(3600)
        if self.fault == "http-500":
            return Response("internal error", status_code=500)
        if self.fault == "invalid-json":
            return Response(b'{"data": {"courses": [', media_type="application/json")
        if self.fault == "graphql-error":
            failed = {"data": None, "errors": [{"message": "catalogue database is down"}]}
            return Response(orjson.dumps(failed), media_type="application/json")
        try:
            payload = orjson.loads(await request.body())
            query, variables = payload["query"], payload.get("variables")
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Response(b'{"errors":[{"message":"bad request"}]}', status_code=400)
        result = await graphql(self.schema, query, root_value=self.catalogue, variable_values=variables)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [{"message": e.message} for e in result.errors]
        return Response(orjson.dumps(body), media_type="application/json")
