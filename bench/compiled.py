"""Server CPU per cold dashboard in one process: graphql-core against the
compiled executor, measured in the same run.

    python -m bench.compiled [--database-url URL] [--learners 400] [--requests 300] [--courses 60]
                             [--reuse] [--profile]

Seeds LEARNERS learners x 20 enrolments (``bench.dashboard``'s seeding; SQLite
in a temporary directory unless ``--database-url`` names a database, whose
public schema is reset unless ``--reuse``), then, for each executor, answers
``queries/dashboard.graphql`` REQUESTS times in sequence, each for a learner
not asked about before in that row (cold: nothing cached for the learner;
the process's own caches, parsed documents, compiled plans and the
recommendations' catalogue index, are warm). Two figures per row, from
``time.process_time`` (CPU of this process: the gateway, the database driver
and, for SQLite, the database itself; a PostgreSQL server's own CPU is not
included):

* ``execute``: ``schema.execute`` with a request context, as ``/graphql`` runs it;
* ``http``: the whole ``POST /graphql`` through the ASGI app (an in-process
  httpx client, whose own CPU is included);
* ``loaded``: ``execute`` again with one request context whose DataLoaders
  already hold every row: execution and resolver code without SQL.

``--profile`` prints cProfile's top functions of the compiled ``execute`` row.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.catalogue import SyntheticPlugin
from bench.dashboard import QUERY, reset_postgres, seed
from gateway.app import create_app
from gateway.context import RequestContext
from gateway.settings import load_settings
from gateway.testing import SqlCounter, header_identity, install_sql_counter
from schema.identity import Principal

ROWS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("graphql-core", {"compiled": False}),
    ("compiled", {"compiled": True, "compile_after": 1}),
)


async def run_row(
    url: str, execution: dict[str, Any], learners: list[str], check: str, profile: bool, courses: int
) -> dict[str, Any]:
    settings = load_settings(
        database_url=url,
        load_demo_data=False,
        auto_migrate=False,
        log_json=False,
        log_level="WARNING",
        execution=execution,
    )
    app = create_app(
        settings, extra_plugins=[("bench_identity", header_identity), ("synthetic", SyntheticPlugin(courses))]
    )
    gateway = app.state.gateway
    await gateway.start()
    half = len(learners) // 2
    out: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            with SqlCounter() as counter:
                warm = await http.post("/graphql", json={"query": QUERY}, headers={"x-test-learner": check})
            out["bytes"] = warm.content
            out["sql"] = counter.count - 1  # less the test identity's lookup

            async def execute(learner: str) -> None:
                ctx = RequestContext(
                    gateway=gateway, request=None, principal=Principal(learner, "bench"), request_id="bench"
                )
                result = await gateway.schema.execute(QUERY, context_value=ctx)
                assert not result.errors and result.data and result.data["me"], result.errors
                orjson.dumps({"data": result.data})

            profiler = cProfile.Profile() if profile else None
            start = time.process_time()
            if profiler is not None:
                profiler.enable()
            for learner in learners[:half]:
                await execute(learner)
            if profiler is not None:
                profiler.disable()
            out["execute"] = (time.process_time() - start) * 1000 / half
            out["profile"] = profiler
            start = time.process_time()
            for learner in learners[half:]:
                response = await http.post(
                    "/graphql", json={"query": QUERY}, headers={"x-test-learner": learner}
                )
                assert response.status_code == 200 and response.json()["data"]["me"], response.text
            out["http"] = (time.process_time() - start) * 1000 / (len(learners) - half)
            # The same request context again: its DataLoaders hold every row,
            # so this is execution and resolver code without SQL.
            ctx = RequestContext(
                gateway=gateway, request=None, principal=Principal(check, "bench"), request_id="bench"
            )
            await gateway.schema.execute(QUERY, context_value=ctx)
            start = time.process_time()
            for _ in range(100):
                result = await gateway.schema.execute(QUERY, context_value=ctx)
            out["loaded"] = (time.process_time() - start) * 1000 / 100
            assert result.data and result.data["me"], result.errors
            out["metrics"] = [
                line for line in (await http.get("/metrics")).text.splitlines() if "executions_total{" in line
            ]
    finally:
        await gateway.stop()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--requests", type=int, default=300, help="dashboards per row (at most learners / 2)")
    parser.add_argument("--reuse", action="store_true", help="keep what an earlier run seeded")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--courses", type=int, default=60, help="courses seeded (bench.run's sets: 2000, with --reuse)"
    )
    options = parser.parse_args()
    url = options.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    if not options.reuse:
        if url.startswith("postgresql"):
            await reset_postgres(url)
        await seed(url, options.learners, options.courses)
    install_sql_counter()
    count = min(options.requests, options.learners // len(ROWS))
    print(
        f"{count} cold dashboards per row (half through execute, half over HTTP), one process, {url.split(':')[0]} (CPU ms per dashboard)"
    )
    print(f"{'executor':<14}{'execute':>9}{'http':>9}{'loaded':>9}{'SQL':>5}{'bytes':>7}")
    answers = []
    profile = None
    for index, (label, execution) in enumerate(ROWS):
        # Each row asks about its own learners, so both are cold.
        learners = [f"learner:bench-{n:05d}" for n in range(index * count, (index + 1) * count)]
        check = f"learner:bench-{options.learners - 1:05d}"
        row = await run_row(
            url, execution, learners, check, options.profile and label == "compiled", options.courses
        )
        answers.append(row["bytes"])
        profile = row["profile"] or profile
        print(*row["metrics"], sep="\n")
        print(
            f"{label:<14}{row['execute']:>9.2f}{row['http']:>9.2f}{row['loaded']:>9.2f}{row['sql']:>5}{len(row['bytes']):>7}"
        )
    if answers[0] != answers[1]:
        for (name, _), answer in zip(ROWS, answers, strict=True):
            path = Path(tempfile.gettempdir()) / f"dashboard-{name}.json"
            path.write_bytes(answer)
            print(f"DIFFERENT ANSWERS: {path}")
    else:
        print("same bytes from both executors")
    if profile is not None:
        print_areas(pstats.Stats(profile), count // 2)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


AREAS = (
    ("compiled executor", "/gateway/execution/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("asyncpg", "/asyncpg/"),
    ("aiosqlite, sqlite3", "sqlite"),
    ("strawberry", "/strawberry/"),
    ("graphql-core", "/graphql/"),
    ("aiodataloader", "/aiodataloader"),
    ("asyncio, event loop", "asyncio"),
    ("plugins", "/plugins/"),
    ("schema", "/schema/"),
    ("gateway (other)", "/gateway/"),
)


def print_areas(stats: pstats.Stats, dashboards: int) -> None:
    """Own time (cProfile's tottime) per area, in ms per dashboard (profiler overhead included)."""
    totals: dict[str, float] = {}
    for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename}:{name}"
        area = next((label for label, mark in AREAS if mark in where), "other (builtins, C)")
        totals[area] = totals.get(area, 0.0) + row[2]
    print("own time by area under cProfile, ms per dashboard:")
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {area:<22}{seconds * 1000 / dashboards:>8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
