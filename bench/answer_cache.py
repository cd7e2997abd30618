"""What a warm dashboard costs the server, measured in one run.

    .venv/bin/python -m bench.answer_cache [--requests 500] [--database URL] [--redis URL]

One gateway (all built-in plugins, demo data; a fresh SQLite file unless
``--database`` names an empty PostgreSQL database), a real session token for
learner:demo-asha, and ``bench/queries/dashboard.graphql`` sent straight to the
ASGI app (no HTTP client, no sockets: the figures are the server's own work:
middleware, the session check, the answer cache, the response).

Rows:

* ``cold``: the answer cache off: every request executes the dashboard;
* ``warm``: the same learner again, nothing written since: a hit;
* ``version read``: the one statement a hit makes, alone.

Prints CPU microseconds per request (``time.process_time``, this process
only: with SQLite, aiosqlite's thread is in it) and wall-clock p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from gateway.app import create_app
from gateway.settings import load_settings
from plugins.identity.runtime import session_service

DASHBOARD = (Path(__file__).parent / "queries" / "dashboard.graphql").read_text()


async def call(
    app: Any, body: bytes, headers: list[tuple[bytes, bytes]]
) -> tuple[int, bytes, dict[bytes, bytes]]:
    """One POST /graphql through the ASGI app, without a client."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    sent = False
    status = 0
    chunks: list[bytes] = []
    response_headers: dict[bytes, bytes] = {}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers.update(dict(message.get("headers", [])))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks), response_headers


async def row(
    app: Any, headers: list[tuple[bytes, bytes]], requests: int, expect: str | None
) -> dict[str, float]:
    body = orjson.dumps({"query": DASHBOARD})
    for _ in range(10):
        status, answer, got = await call(app, body, headers)
        assert status == 200, answer[:300]
    if expect is not None:
        assert got.get(b"x-karmayogi-answer") == expect.encode(), got
    walls = []
    cpu_started = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        status, answer, got = await call(app, body, headers)
        walls.append((time.perf_counter() - started) * 1e6)
    cpu = (time.process_time() - cpu_started) / requests * 1e6
    assert status == 200 and b'"errors"' not in answer, answer[:300]
    walls.sort()
    return {
        "cpu": cpu,
        "p50": walls[len(walls) // 2],
        "p99": walls[int(len(walls) * 0.99) - 1],
        "bytes": len(answer),
    }


async def version_read(app: Any, requests: int) -> dict[str, float]:
    from gateway.security.services import services_of

    reader = services_of(app.state.gateway).answers.reader
    scopes = ["catalogue", "directory", "learner:learner:demo-asha", "plans", "roles"]
    walls = []
    cpu_started = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        await reader.read(scopes)
        walls.append((time.perf_counter() - started) * 1e6)
    cpu = (time.process_time() - cpu_started) / requests * 1e6
    walls.sort()
    return {"cpu": cpu, "p50": walls[len(walls) // 2], "p99": walls[int(len(walls) * 0.99) - 1], "bytes": 0}


async def gateway_app(database: str, redis: str | None, enabled: bool) -> Any:
    overrides: dict[str, Any] = {
        "database_url": database,
        "log_json": False,
        "log_level": "WARNING",
        "answer_cache": {"enabled": enabled},
    }
    if redis:
        overrides["redis_url"] = redis
    app = create_app(load_settings(**overrides))
    await app.state.gateway.start()
    return app


async def main(requests: int, database: str | None, redis: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        results: dict[str, dict[str, float]] = {}
        for name, enabled in (("cold (cache off)", False), ("warm (hit)", True)):
            app = await gateway_app(url, redis, enabled)
            gateway = app.state.gateway
            try:
                issued = await session_service(gateway).start("learner:demo-asha", "bench")
                headers = [(b"authorization", f"Bearer {issued.access_token}".encode())]
                n = max(requests // 10, 20) if not enabled else requests
                results[name] = await row(app, headers, n, "hit" if enabled else None)
                if enabled:
                    results["version read alone"] = await version_read(app, requests)
            finally:
                await gateway.stop()
        store = "redis" if redis else "in process"
        print(f"dashboard, {requests} requests per warm row, store {store}, database {url.split(':')[0]}")
        print(f"{'row':<22}{'CPU µs':>10}{'p50 µs':>10}{'p99 µs':>10}{'bytes':>8}")
        for name, figures in results.items():
            print(
                f"{name:<22}{figures['cpu']:>10.0f}{figures['p50']:>10.0f}{figures['p99']:>10.0f}"
                f"{figures['bytes']:>8.0f}"
            )
        print(f"\nmeans: {statistics.fmean([r['cpu'] for r in results.values()]):.0f} µs over the rows")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database", default=None, help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--redis", default=None)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.database, arguments.redis))
