"""One command, one table: the gateway against a naive server and a static floor.

    python -m bench.run [--database-url URL] [--learners 100000] [--small 10000] [--reuse]
                        [--courses 2000] [--seconds 10] [--concurrency 32] [--workers 2]

Seeds the database (PostgreSQL by default, its public schema reset) with
LEARNERS learners x 20 enrolments over COURSES synthetic hosted courses, and
then the SMALL set, and for each set drives three operations at fixed
concurrency from a loopback load generator (raw keep-alive HTTP/1.1 on
asyncio and uvloop, requests encoded beforehand, each connection renewed
every 20 requests) against three servers, each
with WORKERS uvicorn workers:

* ``gateway``: the gateway as shipped (DataLoaders, caches);
* ``naive``: the same Strawberry schema over the same tables with every
  DataLoader replaced by one SQL statement per object and the gateway's
  caches off (the obvious way: "without DataLoaders or caches");
* ``static``: a Starlette endpoint returning a recorded gateway answer of the
  same size: the floor no GraphQL server can beat (and the load generator's
  own limit on this machine).

SQL statements per request are counted in process for one request of each
operation. The goals of issue 7 are checked at the end and printed as
met / not met; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.dashboard import PER_LEARNER

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = (Path(__file__).parent / "queries" / "dashboard.graphql").read_text()
SEARCH = """query($q: String!) { courses(search: $q, first: 20) {
  totalCount edges { node { id title durationMinutes provider { id name } } }
  facets { areas { value count } languages { value count } } } }"""
PROGRESS = """mutation($e: ID!, $r: ID!, $p: Int!) {
  recordProgress(enrolmentId: $e, resourceId: $r, percent: $p) { id status progressPercent } }"""
TERMS = ["Synthetic", "course 01", "course 1", "Synthetic course 00", "course"]
RENEW_EVERY = 20  # requests per keep-alive connection
OPERATIONS = ("dashboard", "search", "recordProgress")


@dataclass
class Sample:
    learners: list[str]
    enrolments: list[tuple[str, str, str]]  # (learner, enrolment, resource)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def request_for(op: str, rng: random.Random, data: Sample) -> tuple[dict[str, Any], str]:
    if op == "dashboard":
        return {"query": DASHBOARD}, rng.choice(data.learners)
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
        "PYTHONPATH": str(ROOT),
    }
    target = "bench.static_server:app" if kind == "static" else "bench.serve:app_from_environment"
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    # the load generator keeps its connections open while slow servers warm up
    args += ["--timeout-keep-alive", "300"]
    if kind != "static":
        args.append("--factory")
    proc = subprocess.Popen(args, env=env, cwd=ROOT)
    return proc, port


async def wait_ready(http: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


def http_request(port: int, op: str, body: dict[str, Any], who: str) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST /graphql?op={op} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        f"x-test-learner: {who}\r\n\r\n"
    )
    return head.encode() + payload


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """Send one keep-alive HTTP/1.1 request; return the status and the body."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    body = b""
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


async def drive(port: int, op: str, data: Sample, seconds: float, concurrency: int) -> dict[str, float]:
    """CONCURRENCY keep-alive connections, each sending its next request as soon
    as the last answer is read, for SECONDS. Requests are encoded beforehand
    and answers parsed only as far as HTTP needs, so the generator spends
    little of the CPU the servers share with it."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        await wait_ready(http)
    rng = random.Random(11)
    requests = [http_request(port, op, *request_for(op, rng, data)) for _ in range(2000)]
    latencies: list[float] = []
    errors = 0
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    opened = [writer for _, writer in connections]
    try:
        for n, (reader, writer) in enumerate(connections):  # warm every worker and connection
            await exchange(reader, writer, requests[n % len(requests)])
        deadline = time.perf_counter() + seconds

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
            nonlocal errors
            sent = 0
            while time.perf_counter() < deadline:
                n = (n + concurrency) % len(requests)
                sent += 1
                if sent % RENEW_EVERY == 0:
                    # A new connection now and then, so the kernel spreads the
                    # clients over the workers (whichever is idle accepts it)
                    # instead of leaving them where the first accept put them.
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    opened.append(writer)
                t0 = time.perf_counter()
                try:
                    status, body = await exchange(reader, writer, requests[n])
                except (asyncio.IncompleteReadError, ConnectionError):  # the server closed it
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    opened.append(writer)
                    try:
                        status, body = await exchange(reader, writer, requests[n])
                    except (asyncio.IncompleteReadError, ConnectionError):
                        errors += 1  # counted, and the next request opens a new connection
                        continue
                latencies.append(time.perf_counter() - t0)
                if status != 200 or b'"errors"' in body:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(r, w, n) for n, (r, w) in enumerate(connections)))
        elapsed = time.perf_counter() - started
    finally:
        for writer in opened:
            writer.close()
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": errors,
    }


def count_statements(url: str, courses: int, naive: bool, data: Sample) -> dict[str, int]:
    """Run bench.counts in a fresh process (naive mode patches the context class)."""
    payload = json.dumps({"learner": data.learners[0], "enrolment": list(data.enrolments[0])})
    args = [sys.executable, "-m", "bench.counts", url, str(courses), payload] + (["--naive"] if naive else [])
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


async def record_static_answers(url: str, courses: int, data: Sample, path: str) -> None:
    """Record one gateway answer per operation for the static server to return."""
    proc, port = start_server("gateway", url, courses, 1, path)
    try:
        answers = {}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await wait_ready(http)
            rng = random.Random(5)
            for op in OPERATIONS:
                body, who = request_for(op, rng, data)
                answers[op] = (await http.post("/graphql", json=body, headers={"x-test-learner": who})).text
        Path(path).write_text(json.dumps(answers))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def measure_set(
    label: str, url: str, learners: int, options: argparse.Namespace
) -> list[dict[str, Any]]:
    from bench.dashboard import reset_postgres, seed

    expected = (learners, min(options.courses, learners + PER_LEARNER - 1))
    if options.reuse and await seeded_set(url) == expected:
        print(f"[{label}] reusing the {learners} learners seeded by an earlier run", flush=True)
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
    await record_static_answers(url, options.courses, data, static_file)
    counts = {
        "gateway": count_statements(url, options.courses, False, data),
        "naive": count_statements(url, options.courses, True, data),
        "static": dict.fromkeys(OPERATIONS, 0),
    }
    rows = []
    for kind in ("gateway", "naive", "static"):
        proc, port = start_server(kind, url, options.courses, options.workers, static_file)
        try:
            for op in OPERATIONS:
                r = await drive(port, op, data, options.seconds, options.concurrency)
                rows.append({"set": label, "op": op, "server": kind, "sql": counts[kind][op], **r})
                print(
                    f"[{label}] {op:<15}{kind:<9}{r['rps']:>9.1f} req/s  p50 {r['p50']:>7.1f} ms  "
                    f"p99 {r['p99']:>7.1f} ms  sql {counts[kind][op]:>4}  errors {int(r['errors'])}",
                    flush=True,
                )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return rows


def report(rows: list[dict[str, Any]], options: argparse.Namespace) -> None:
    print()
    print(
        f"{options.concurrency} concurrent loopback clients, {options.workers} uvicorn workers, "
        f"{options.seconds:g} s per row, {os.cpu_count()} cores"
    )
    header = f"{'set':<12}{'operation':<16}{'server':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'SQL/req':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['set']:<12}{r['op']:<16}{r['server']:<9}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{r['sql']:>9}{int(r['errors']):>8}"
        )
    by = {(r["set"], r["op"], r["server"]): r for r in rows}
    sets = sorted({r["set"] for r in rows}, key=lambda s: [r["set"] for r in rows].index(s))
    print()
    large = sets[0]
    gw, naive = by[(large, "dashboard", "gateway")], by[(large, "dashboard", "naive")]
    ratio = gw["rps"] / naive["rps"] if naive["rps"] else float("inf")
    print(
        f"goal: dashboard >= 5x naive throughput ({large}): {ratio:.1f}x -> {'met' if ratio >= 5 else 'not met'}"
    )
    print(
        f"goal: dashboard p99 < 50 ms at {options.concurrency} concurrent on {options.workers} workers ({large}): "
        f"{gw['p99']:.1f} ms -> {'met' if gw['p99'] < 50 else 'not met'}"
    )
    if len(sets) > 1:
        small = by[(sets[1], "dashboard", "gateway")]
        growth = gw["p50"] / small["p50"] - 1
        print(
            f"goal: dashboard p50 at {large} within 20 % of {sets[1]}: {growth * 100:+.0f} % -> "
            f"{'met' if growth <= 0.2 else 'not met'}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="second, smaller set (0 to skip)")
    parser.add_argument("--sqlite-learners", type=int, default=10_000, help="SQLite set (0 to skip)")
    parser.add_argument("--courses", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a set an earlier run seeded (checked: same learners and courses) instead of seeding it again",
    )
    options = parser.parse_args()
    rows: list[dict[str, Any]] = []
    url = options.database_url
    if url.startswith("postgresql"):
        await ensure_database(url)
    rows += await measure_set(f"pg {options.learners // 1000}k", url, options.learners, options)
    if options.small:
        small_url = url
        if url.startswith("postgresql"):  # its own database, so --reuse keeps both sets
            from sqlalchemy.engine import make_url

            parsed = make_url(url)
            small_url = parsed.set(database=f"{parsed.database}_small").render_as_string(hide_password=False)
            await ensure_database(small_url)
        rows += await measure_set(f"pg {options.small // 1000}k", small_url, options.small, options)
    if options.sqlite_learners:
        folder = (
            Path(tempfile.gettempdir()) / "karmayogi-bench" if options.reuse else Path(tempfile.mkdtemp())
        )
        folder.mkdir(exist_ok=True)
        sqlite_url = f"sqlite+aiosqlite:///{folder}/bench.db"
        rows += await measure_set(
            f"sqlite {options.sqlite_learners // 1000}k", sqlite_url, options.sqlite_learners, options
        )
    report(rows, options)


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


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        asyncio.run(main())
    else:
        uvloop.run(main())
