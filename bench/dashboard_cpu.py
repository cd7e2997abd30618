"""Server CPU per dashboard, in process: no HTTP server, no load generator.

    python -m bench.dashboard_cpu [--database-url URL] [--learners 200] [--dashboards 300]
                                  [--reuse] [--profile 25]

Seeds LEARNERS learners with 20 enrolments each (``bench.dashboard``'s
seeding; a temporary SQLite file by default, or a PostgreSQL URL, whose public
schema is reset unless ``--reuse``), builds the gateway app once, sends the
query of bench/queries/dashboard.graphql through an in-process ASGI client for
each learner in turn (warming every learner once first, so the catalogue
index and document caches are as in a running server), and prints the CPU
time (``time.process_time``: this process only, so the database server's work
is excluded) and the SQL statements per dashboard. ``--profile N`` prints the
N functions with the most own time under cProfile instead of timing.

Short and single-process on purpose: compare two commits on the same machine
in the same minute, not with figures taken elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time

import httpx

from bench.catalogue import SyntheticPlugin
from bench.dashboard import QUERY, reset_postgres, seed
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing import SqlCounter, header_identity, install_sql_counter


async def run(url: str, learners: int, dashboards: int, profile: int) -> None:
    install_sql_counter()
    settings = load_settings(
        database_url=url, load_demo_data=False, auto_migrate=False, log_json=False, log_level="WARNING"
    )
    app = create_app(
        settings, extra_plugins=[("bench_identity", header_identity), ("synthetic", SyntheticPlugin())]
    )
    gateway = app.state.gateway
    await gateway.start()
    who = [f"learner:bench-{n:05d}" for n in range(learners)]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:

            async def dashboard(learner: str) -> None:
                response = await http.post(
                    "/graphql", json={"query": QUERY}, headers={"x-test-learner": learner}
                )
                body = response.json()
                assert response.status_code == 200 and not body.get("errors"), body

            for learner in who:  # warm: caches as in a running server
                await dashboard(learner)
            with SqlCounter() as counter:
                await dashboard(who[0])
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for i in range(dashboards):
                    await dashboard(who[i % learners])
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
                return
            best = float("inf")
            for _ in range(3):  # the best of three rounds: the machine is shared
                started = time.process_time()
                for i in range(dashboards):
                    await dashboard(who[i % learners])
                best = min(best, (time.process_time() - started) / dashboards)
    finally:
        await gateway.stop()
    print(
        f"{url.split(':')[0]:<18} {best * 1000:7.2f} ms CPU per dashboard "
        f"(best of 3 x {dashboards}), {counter.count} SQL statements"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--dashboards", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="the database is already seeded")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    options = parser.parse_args()
    url = options.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    if not options.reuse:
        if url.startswith("postgresql"):
            await reset_postgres(url)
        await seed(url, options.learners)
    await run(url, options.learners, options.dashboards, options.profile)


if __name__ == "__main__":
    asyncio.run(main())
