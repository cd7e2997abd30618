"""One command, one table: the gateway beside fair baselines and a static floor.

    python -m bench.run [--database-url URL] [--learners 100000] [--small 10000] [--reuse]
                        [--courses 2000] [--seconds 10] [--warmup 2] [--concurrency 32] [--workers 2] [--quick]

Seeds the database (PostgreSQL by default, its public schema reset) with
LEARNERS learners x 20 enrolments over COURSES synthetic hosted courses, then
the SMALL set and a SQLite set, and for each set drives the operations at
fixed concurrency from a loopback load generator (``bench/loadgen.py``)
against these servers, each with WORKERS uvicorn workers (uvloop, httptools):

* ``gateway cold``: the gateway as shipped, learners rotating;
* ``gateway warm``: the same, one learner asked again and again (what an
  answer cache makes cheap);
* ``floor``: the dashboard hand-compiled on asyncpg and orjson (``bench/floor.py``;
  PostgreSQL only): what Python can do for this operation;
* ``lean``: a hand-written Strawberry server answering the dashboard
  (``bench/lean/``): what a careful engineer writes without the gateway;
* ``naive``: the gateway's schema with one SQL statement per object and its
  caches off (``bench/serve.py --naive``);
* ``static``: a recorded answer of the same size (``bench/static_server.py``).

Before any load the dashboard answers of the gateway, the lean server and the
floor are compared byte for byte for 20 learners; a difference stops the run
with a diff. Each row prints req/s, p50, p99, the servers' CPU per request
(``/proc``: utime + stime of the uvicorn master and its workers over the timed
part, divided by the requests), SQL statements per request (counted in
process, ``bench/counts.py``) and the mean answer size. The goals of issues 7
and 12 are printed as met / not met; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import identical
from bench.dashboard import PER_LEARNER
from bench.loadgen import drive, free_port, http_request, wait_ready
from bench.operations import DASHBOARD, PROGRESS, SEARCH, TERMS
from bench.report import report

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ("dashboard", "search", "recordProgress")
CHECKED_LEARNERS = 20
TARGETS = {
    "gateway": "bench.serve:app_from_environment",
    "naive": "bench.serve:app_from_environment",
    "lean": "bench.lean.app:app_from_environment",
    "floor": "bench.floor:app_from_environment",
    "static": "bench.static_server:app",
}
# (server process, row label, operation), in the order they run
ROWS = [
    ("gateway", "gateway cold", "dashboard"),
    ("gateway", "gateway warm", "dashboard warm"),
    ("gateway", "gateway", "search"),
    ("gateway", "gateway", "recordProgress"),
    ("floor", "floor", "dashboard"),
    ("lean", "lean", "dashboard"),
    ("naive", "naive", "dashboard"),
    ("naive", "naive", "search"),
    ("naive", "naive", "recordProgress"),
    ("static", "static", "dashboard"),
    ("static", "static", "search"),
    ("static", "static", "recordProgress"),
]

__all__ = ["DASHBOARD", "PROGRESS", "SEARCH", "public_url_for"]


@dataclass
class Sample:
    learners: list[str]
    enrolments: list[tuple[str, str, str]]  # (learner, enrolment, resource)


def public_url_for(url: str) -> str:
    """The public URL the gateway serves certificate links under (settings)."""
    from gateway.settings import load_settings

    return str(load_settings(database_url=url, log_json=False).public_url)


async def sample(url: str, learners: int) -> Sample:
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import create_async_engine

    from plugins.passbook.models import EnrolmentRow

    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(EnrolmentRow.learner_id, EnrolmentRow.id, EnrolmentRow.course_id)
                .where(EnrolmentRow.status == "IN_PROGRESS", EnrolmentRow.learner_id.like("learner:bench-%"))
                .limit(5000)
            )
        ).all()
    await engine.dispose()
    who = [f"learner:bench-{n:05d}" for n in random.Random(3).sample(range(learners), min(learners, 2000))]
    return Sample(who, [(lid, eid, f"{cid}/video") for lid, eid, cid in rows])


COLD_LEARNERS = 10_000
"""Distinct learners per cold dashboard row: more than a row's requests (about
12 s at under 800 req/s on 2 cores)."""


def request_for(op: str, rng: random.Random, data: Sample) -> tuple[dict[str, Any], str]:
    if op == "dashboard":
        return {"query": DASHBOARD}, rng.choice(data.learners)
    if op == "dashboard warm":
        return {"query": DASHBOARD}, data.learners[0]
    if op == "search":
        return {"query": SEARCH, "variables": {"q": rng.choice(TERMS)}}, rng.choice(data.learners)
    learner, enrolment, resource = rng.choice(data.enrolments)
    return {
        "query": PROGRESS,
        "variables": {"e": enrolment, "r": resource, "p": rng.randrange(5, 90)},
    }, learner


def start_server(
    kind: str, url: str, courses: int, workers: int, static_file: str
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": url,
        "BENCH_COURSES": str(courses),
        "BENCH_NAIVE": "1" if kind == "naive" else "0",
        "BENCH_STATIC_FILE": static_file,
        "BENCH_PUBLIC_URL": public_url_for(url),
        "PYTHONPATH": str(ROOT),
    }
    args = [sys.executable, "-m", "uvicorn", TARGETS[kind], "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    args += ["--loop", "uvloop", "--http", "httptools"]
    # the load generator keeps its connections open while slow servers warm up
    args += ["--timeout-keep-alive", "300"]
    if kind != "static":
        args.append("--factory")
    proc = subprocess.Popen(args, env=env, cwd=ROOT)
    return proc, port


@contextmanager
def servers(
    kinds: list[str], url: str, courses: int, workers: int, static_file: str
) -> Iterator[dict[str, tuple[int, int]]]:
    """Start each server; yield kind -> (master pid, port); stop them all."""
    started = {kind: start_server(kind, url, courses, workers, static_file) for kind in kinds}
    try:
        yield {kind: (proc.pid, port) for kind, (proc, port) in started.items()}
    finally:
        for proc, _ in started.values():
            proc.terminate()
        for proc, _ in started.values():
            proc.wait(timeout=30)


def count_statements(url: str, courses: int, server: str, data: Sample) -> dict[str, int]:
    """Run bench.counts in a fresh process (naive mode patches the context class)."""
    payload = json.dumps({"learners": data.learners[:2], "enrolment": list(data.enrolments[0])})
    args = [sys.executable, "-m", "bench.counts", url, str(courses), payload, "--server", server]
    out = subprocess.run(
        args,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def check_and_record(url: str, courses: int, data: Sample, static_file: str, label: str) -> None:
    """Record one gateway answer per operation for the static server, and check
    that the baselines answer the dashboard with the gateway's bytes."""
    kinds = ["gateway", "lean"] + (["floor"] if url.startswith("postgresql") else [])
    with servers(kinds, url, courses, 1, static_file) as running:
        for _, port in running.values():
            await wait_ready(port)
        learners = [data.learners[0], *data.learners[1 : CHECKED_LEARNERS + 1]]
        compared = await identical.check({kind: port for kind, (_, port) in running.items()}, learners)
        answers = {}
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{running['gateway'][1]}", timeout=60
        ) as http:
            rng = random.Random(5)
            for op in OPERATIONS:
                body, who = request_for(op, rng, data)
                answers[op] = (await http.post("/graphql", json=body, headers={"x-test-learner": who})).text
        Path(static_file).write_text(json.dumps(answers))
    print(
        f"[{label}] {', '.join(kinds[1:])}: the gateway's bytes for {len(learners)} learners "
        f"({compared} answers compared)",
        flush=True,
    )


async def upgrade(url: str) -> None:
    from gateway.host import build_gateway
    from gateway.settings import load_settings

    gateway = build_gateway(load_settings(database_url=url, log_json=False, load_demo_data=False))
    try:
        await gateway.upgrade()
    finally:
        await gateway.db.dispose()


async def measure_set(
    label: str, url: str, learners: int, options: argparse.Namespace
) -> list[dict[str, Any]]:
    from bench.dashboard import reset_postgres, seed

    expected = (learners, min(options.courses, learners + PER_LEARNER - 1))
    if options.reuse and await seeded_set(url) == expected:
        print(f"[{label}] reusing the {learners} learners seeded by an earlier run", flush=True)
        await upgrade(url)  # a set seeded by an older release: apply the migrations added since
    else:
        if url.startswith("postgresql"):
            await reset_postgres(url)
        t0 = time.perf_counter()
        await seed(url, learners, options.courses)
        print(
            f"[{label}] seeded {learners} learners x 20 enrolments, {options.courses} courses in {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
    data = await sample(url, learners)
    static_file = tempfile.mkstemp(suffix=".json")[1]
    await check_and_record(url, options.courses, data, static_file, label)
    postgres = url.startswith("postgresql")
    kinds = [k for k in ("gateway", "floor", "lean", "naive", "static") if postgres or k != "floor"]
    counts = {k: count_statements(url, options.courses, k, data) for k in kinds if k != "static"}
    rows = []
    rng = random.Random(11)
    for kind in kinds:
        with servers([kind], url, options.courses, options.workers, static_file) as running:
            pid, port = running[kind]
            for server, row_label, op in ROWS:
                if server != kind:
                    continue
                path_op = "dashboard" if op.startswith("dashboard") else op
                if op == "dashboard":
                    # Cold: every request a learner not asked before in this row
                    # (the list is longer than a row sends), so no answer is cached.
                    order = random.Random(5).sample(range(learners), min(learners, COLD_LEARNERS))
                    requests = [
                        http_request(port, path_op, {"query": DASHBOARD}, f"learner:bench-{n:05d}")
                        for n in order
                    ]
                else:
                    requests = [http_request(port, path_op, *request_for(op, rng, data)) for _ in range(2000)]
                r = await drive(port, pid, requests, options.seconds, options.concurrency, options.warmup)
                sql = counts.get(kind, {}).get(op, 0)
                shown = "dashboard" if op == "dashboard warm" else op
                rows.append({"set": label, "op": shown, "server": row_label, "sql": sql, **r})
                print(
                    f"[{label}] {shown:<15}{row_label:<14}{r['rps']:>9.1f} req/s  p50 {r['p50']:>7.1f} ms  "
                    f"p99 {r['p99']:>7.1f} ms  cpu {r['cpu']:>6.2f} ms  sql {sql:>4}  "
                    f"{r['bytes']:>7.0f} B  errors {int(r['errors'])}",
                    flush=True,
                )
                if r["first_error"]:
                    print(f"[{label}]   first error: {r['first_error']}", flush=True)
    return rows


async def seeded_set(url: str) -> tuple[int, int]:
    """The benchmark learners the database holds and the courses their
    enrolments use ((0, 0) if it has no tables)."""
    from sqlalchemy import distinct, func, select
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.ext.asyncio import create_async_engine

    from gateway.directory.models import LearnerRow
    from plugins.passbook.models import EnrolmentRow

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            learners = select(func.count()).where(LearnerRow.id.like("learner:bench-%"))
            courses = select(func.count(distinct(EnrolmentRow.course_id))).where(
                EnrolmentRow.learner_id.like("learner:bench-%")
            )
            return int((await conn.execute(learners)).scalar_one()), int(
                (await conn.execute(courses)).scalar_one()
            )
    except (DBAPIError, OperationalError):
        return 0, 0
    finally:
        await engine.dispose()


async def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database if it does not exist."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()


QUICK = {"learners": 1000, "small": 0, "sqlite_learners": 0, "seconds": 3.0, "warmup": 1.0, "concurrency": 16}


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL (default: database bench, or bench_quick with --quick)"
    )
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="second, smaller set (0 to skip)")
    parser.add_argument("--sqlite-learners", type=int, default=10_000, help="SQLite set (0 to skip)")
    parser.add_argument("--courses", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed seconds of load before each row")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a set an earlier run seeded (checked: same learners and courses) instead of seeding it again",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few minutes: one PostgreSQL set of 1,000 learners (database bench_quick), 3 s per row, "
        "16 clients (explicit options still win)",
    )
    options = parser.parse_args()
    if options.quick:
        given = {a.split("=")[0].lstrip("-").replace("-", "_") for a in sys.argv[1:] if a.startswith("--")}
        for name, value in QUICK.items():
            if name not in given:
                setattr(options, name, value)
    if options.database_url is None:
        database = "bench_quick" if options.quick else "bench"
        options.database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    return options


def size(learners: int) -> str:
    return f"{learners // 1000}k" if learners >= 1000 and learners % 1000 == 0 else str(learners)


async def main() -> None:
    options = parse_options()
    rows: list[dict[str, Any]] = []
    url = options.database_url
    if url.startswith("postgresql"):
        await ensure_database(url)
    rows += await measure_set(f"pg {size(options.learners)}", url, options.learners, options)
    if options.small:
        small_url = url
        if url.startswith("postgresql"):  # its own database, so --reuse keeps both sets
            from sqlalchemy.engine import make_url

            parsed = make_url(url)
            small_url = parsed.set(database=f"{parsed.database}_small").render_as_string(hide_password=False)
            await ensure_database(small_url)
        rows += await measure_set(f"pg {size(options.small)}", small_url, options.small, options)
    if options.sqlite_learners:
        folder = (
            Path(tempfile.gettempdir()) / "karmayogi-bench" if options.reuse else Path(tempfile.mkdtemp())
        )
        folder.mkdir(exist_ok=True)
        sqlite_url = f"sqlite+aiosqlite:///{folder}/bench.db"
        rows += await measure_set(
            f"sqlite {size(options.sqlite_learners)}", sqlite_url, options.sqlite_learners, options
        )
    report(rows, options)


def run() -> None:
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        asyncio.run(main())
    else:
        uvloop.run(main())


if __name__ == "__main__":
    run()
