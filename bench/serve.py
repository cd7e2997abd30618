"""One gateway worker on 127.0.0.1 for the dashboard benchmark.

``python -m bench.serve DATABASE_URL [--naive]`` prints ``PORT <n>`` once
listening. ``--naive`` resolves every ``ctx.load`` with its own SQL statement
(no DataLoader batching or caching): the baseline.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn

from bench.catalogue import SyntheticPlugin
from gateway.app import create_app
from gateway.context import RequestContext
from gateway.settings import load_settings
from gateway.testing import header_identity
from schema.reads import Read


def make_naive() -> None:
    def function(self: RequestContext, batch: Any) -> Any:
        # a declared read (schema.reads.Read) names the batch function the app registered
        return self.gateway.reads[batch] if isinstance(batch, Read) else batch

    async def load(self: RequestContext, batch: Any, key: Any) -> Any:
        return (await function(self, batch)(self, [key]))[0]

    async def load_many(self: RequestContext, batch: Any, keys: Sequence[Any]) -> list[Any]:
        return [(await function(self, batch)(self, [key]))[0] for key in keys]

    class NaiveLoader:
        """What ``ctx.loader(batch)`` gives the naive server: each load its own
        statement, nothing kept (so ``load_now`` never finds a value)."""

        def __init__(self, ctx: RequestContext, batch: Any) -> None:
            self.ctx, self.batch = ctx, batch
            self._cache: dict[Any, Any] = {}

        def load(self, key: Any) -> Any:
            return asyncio.ensure_future(load(self.ctx, self.batch, key))

        def load_many(self, keys: Sequence[Any]) -> Any:
            return asyncio.ensure_future(load_many(self.ctx, self.batch, keys))

        def prime(self, key: Any, value: Any) -> None:
            return None

    def loader(self: RequestContext, batch: Any) -> Any:
        return NaiveLoader(self, batch)

    RequestContext.load = load  # type: ignore[method-assign]
    RequestContext.load_many = load_many  # type: ignore[method-assign]
    RequestContext.loader = loader  # type: ignore[method-assign]


# The baseline is a server "without DataLoaders or caches": besides the
# loads, the naive server turns off the gateway's caches (parsed and validated
# documents, the recommendations' catalogue index, the answer cache and with it
# the shared selections).
# Its time limit is raised from 15 s: at 32 requests in flight on a busy
# 2-core machine a naive dashboard can wait longer than that, and the bench
# measures it to the end instead of counting the cut-off answers as errors.
NAIVE_SETTINGS: dict[str, Any] = {
    "limits": {"document_cache_size": 0, "request_timeout_seconds": 120},
    "answer_cache": {"enabled": False},
    "plugins": {"passbook": {"catalogue_cache_seconds": 0}},
}


def app_from_environment() -> Any:
    """uvicorn factory for several workers: BENCH_DATABASE_URL, BENCH_NAIVE, BENCH_COURSES."""
    import os

    naive = os.environ.get("BENCH_NAIVE") == "1"
    if naive:
        make_naive()
    settings = load_settings(
        database_url=os.environ["BENCH_DATABASE_URL"],
        # links name the same address as the baselines' (not the Host the load generator sends)
        public_url=os.environ.get("BENCH_PUBLIC_URL", "http://127.0.0.1:8000"),
        load_demo_data=False,
        log_json=False,
        log_level="WARNING",
        auto_migrate=False,
        **(NAIVE_SETTINGS if naive else {}),
    )
    courses = int(os.environ.get("BENCH_COURSES", "60"))
    return create_app(
        settings,
        extra_plugins=[("bench_identity", header_identity), ("synthetic", SyntheticPlugin(courses))],
        server_process=True,
    )


def main() -> None:
    url = sys.argv[1]
    naive = "--naive" in sys.argv
    if naive:
        make_naive()
    settings = load_settings(
        database_url=url,
        load_demo_data=False,
        log_json=False,
        log_level="WARNING",
        auto_migrate=False,
        **(NAIVE_SETTINGS if naive else {}),
    )
    app = create_app(
        settings, extra_plugins=[("bench_identity", header_identity), ("synthetic", SyntheticPlugin())]
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print("PORT", sock.getsockname()[1], flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main()
