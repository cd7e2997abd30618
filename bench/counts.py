"""SQL statements per request for each benchmark operation, in process.

``python -m bench.counts URL COURSES PAYLOAD [--server gateway|naive|lean|floor]``
prints one JSON object: operation -> statements. PAYLOAD is
``{"learners": [a, b], "enrolment": [learner, enrolment, resource]}``.

``dashboard`` is a cold dashboard (a learner not asked for before, once the
server's own caches are warm from learner ``a``); ``dashboard warm`` asks for
the same learner again. The gateway and naive servers also count ``search``
and ``recordProgress``; the lean server and the floor answer the dashboard only.
Statements are counted on SQLAlchemy's engines (``gateway.testing``'s
counter) and, for the floor, with asyncpg's query logger.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from bench.catalogue import SyntheticPlugin
from bench.run import DASHBOARD, PROGRESS, SEARCH, public_url_for
from bench.serve import NAIVE_SETTINGS, make_naive
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing import SqlCounter, header_identity, install_sql_counter


async def measure(
    app: Any, requests: dict[str, tuple[dict[str, Any], str]], counted: Callable[[], Any]
) -> dict[str, int]:
    """Statements of each request, sent in order (each counted on its own)."""
    counts = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        for op, (body, who) in requests.items():
            with counted() as counter:
                response = await http.post("/graphql", json=body, headers={"x-test-learner": who})
            if response.status_code != 200 or b'"errors"' in response.content:
                raise RuntimeError(f"{op} as {who}: HTTP {response.status_code} {response.text[:300]}")
            if not op.startswith("warm-up"):
                counts[op] = counter.count
    return counts


class AsyncpgCounter:
    """Counts the statements the floor's connections run while inside ``with``."""

    statements: list[str] | None = None

    def __enter__(self) -> AsyncpgCounter:
        AsyncpgCounter.statements = []
        return self

    def __exit__(self, *exc: Any) -> None:
        self.count = len(AsyncpgCounter.statements or [])
        AsyncpgCounter.statements = None

    @staticmethod
    async def attach(conn: Any) -> None:
        def log(query: Any) -> None:
            if AsyncpgCounter.statements is not None:
                AsyncpgCounter.statements.append(query.query)

        conn.add_query_logger(log)


def dashboards(first: str, second: str) -> dict[str, tuple[dict[str, Any], str]]:
    return {
        "warm-up": ({"query": DASHBOARD}, first),  # the server's own caches, not this learner's
        "dashboard": ({"query": DASHBOARD}, second),
        "dashboard warm": ({"query": DASHBOARD}, second),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("courses", type=int)
    parser.add_argument("payload")
    parser.add_argument("--server", choices=("gateway", "naive", "lean", "floor"), default="gateway")
    parser.add_argument("--naive", action="store_true", help="the same as --server naive")
    options = parser.parse_args()
    url, courses, payload = options.url, options.courses, json.loads(options.payload)
    server = "naive" if options.naive else options.server
    first, second = payload["learners"][:2]
    requests = dashboards(first, second)
    if server == "floor":
        from bench.floor import make_app as make_floor

        floor_app = make_floor(url, courses, public_url_for(url), on_connect=AsyncpgCounter.attach)
        await floor_app.floor.start()  # type: ignore[attr-defined]
        try:
            counts = await measure(floor_app, requests, AsyncpgCounter)
        finally:
            await floor_app.floor.stop()  # type: ignore[attr-defined]
        print(json.dumps(counts))
        return
    install_sql_counter()
    if server == "lean":
        from bench.lean.app import load_catalogue
        from bench.lean.app import make_app as make_lean

        lean = make_lean(url, courses, public_url_for(url))
        graphql = lean.state.graphql
        graphql.catalogue = await load_catalogue(graphql.engine, courses)
        try:
            counts = await measure(lean, requests, SqlCounter)
        finally:
            await graphql.engine.dispose()
        print(json.dumps(counts))
        return
    if server == "naive":
        make_naive()
    settings = load_settings(
        database_url=url,
        load_demo_data=False,
        auto_migrate=False,
        log_json=False,
        log_level="WARNING",
        **(NAIVE_SETTINGS if server == "naive" else {}),
    )
    app = create_app(
        settings, extra_plugins=[("bench_identity", header_identity), ("synthetic", SyntheticPlugin(courses))]
    )
    gateway = app.state.gateway
    await gateway.start()
    learner, enrolment, resource = payload["enrolment"]
    requests |= {
        "warm-up search": ({"query": SEARCH, "variables": {"q": "Synthetic"}}, first),
        "search": ({"query": SEARCH, "variables": {"q": "Synthetic"}}, first),
        "warm-up progress": (
            {"query": PROGRESS, "variables": {"e": enrolment, "r": resource, "p": 50}},
            learner,
        ),
        "recordProgress": (
            {"query": PROGRESS, "variables": {"e": enrolment, "r": resource, "p": 50}},
            learner,
        ),
    }
    try:
        counts = await measure(app, requests, SqlCounter)
    finally:
        await gateway.stop()
    print(json.dumps(counts))


if __name__ == "__main__":
    asyncio.run(main())
