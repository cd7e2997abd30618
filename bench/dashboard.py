"""Dashboard requests per second, p50 and p99 on one worker, with DataLoaders
and without (the naive baseline), measured in the same run.

    python -m bench.dashboard [--database-url URL] [--learners 10000] [--seconds 8]

Seeds LEARNERS learners with 20 enrolments each (a third completed with a
certificate and evidence) into the database (SQLite file by default; pass a
PostgreSQL URL for the other run), starts one uvicorn worker on 127.0.0.1 for
each mode in turn, and sends the query of bench/queries/dashboard.graphql as
random learners from 8 concurrent loopback clients for SECONDS.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import insert

from bench.catalogue import PROVIDER_ID, SyntheticPlugin
from gateway.directory.models import LearnerRow
from gateway.host import build_gateway
from gateway.settings import load_settings
from plugins.passbook import signing
from plugins.passbook.models import CertificateRow, EnrolmentRow, EvidenceRow

QUERY = (Path(__file__).parent / "queries" / "dashboard.graphql").read_text()
PER_LEARNER = 20


async def reset_postgres(url: str) -> None:
    from gateway.testing import reset_postgres_async

    await reset_postgres_async(url)


async def seed(url: str, learners: int, courses_count: int = 60) -> None:
    gateway = build_gateway(
        load_settings(database_url=url, log_json=False),
        extra_plugins=[("synthetic", SyntheticPlugin(courses_count))],
    )
    await gateway.start()  # migrates and loads the demo directory (organisations, competencies)
    signer = signing.Signer(signing.development_key())
    now = dt.datetime.now(dt.UTC)
    courses = list(SyntheticPlugin(courses_count).register_content_providers(None)[0].courses.values())
    try:
        for start in range(0, learners, 500):
            people, enrolments, certs, evidence = [], [], [], []
            for n in range(start, min(start + 500, learners)):
                lid = f"learner:bench-{n:05d}"
                people.append(
                    dict(
                        id=lid,
                        name=f"Bench Learner {n}",
                        email=f"bench{n}@dopt.gov.in",
                        organisation_id="org:dopt",
                        designation="Section Officer",
                        status="ACTIVE",
                        demo=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
                for j in range(PER_LEARNER):
                    course = courses[(n + j) % len(courses)]
                    eid = f"enrolment:{uuid.uuid4().hex}"
                    done = j % 3 == 0
                    enrolments.append(
                        dict(
                            id=eid,
                            learner_id=lid,
                            course_id=course.id,
                            provider_id=PROVIDER_ID,
                            external=False,
                            status="COMPLETED" if done else "IN_PROGRESS",
                            progress_percent=100 if done else 40,
                            enrolled_at=now - dt.timedelta(minutes=j),
                            course_title=course.title,
                            duration_minutes=course.duration_minutes,
                            completed_at=now if done else None,
                        )
                    )
                    if done:
                        cid = str(uuid.uuid4())
                        code = signing.new_access_code()
                        payload = signing.signed_payload(
                            certificate_id=cid,
                            access_code=code,
                            learner_name=f"Bench Learner {n}",
                            course_id=course.id,
                            course_title=course.title,
                            issued_at=now,
                        )
                        certs.append(
                            dict(
                                id=cid,
                                enrolment_id=eid,
                                learner_id=lid,
                                course_id=course.id,
                                course_title=course.title,
                                learner_name=f"Bench Learner {n}",
                                access_code=code,
                                issued_at=now.replace(microsecond=0),
                                key_id=signer.key_id,
                                signature=signer.sign(payload),
                            )
                        )
                        for tag in course.competencies:
                            evidence.append(
                                dict(
                                    learner_id=lid,
                                    competency_id=tag.competency_id,
                                    channel="COURSE",
                                    context_id=course.id,
                                    course_id=course.id,
                                    certificate_id=cid,
                                    acquired_at=now,
                                )
                            )
            async with gateway.db.write_sessionmaker() as session, session.begin():
                await session.execute(insert(LearnerRow), people)
                await session.execute(insert(EnrolmentRow), enrolments)
                await session.execute(insert(CertificateRow), certs)
                if evidence:
                    await session.execute(
                        insert(EvidenceRow).prefix_with("OR IGNORE")
                        if url.startswith("sqlite")
                        else insert(EvidenceRow),
                        evidence,
                    )
    finally:
        await gateway.stop()


async def measure(url: str, naive: bool, learners: int, seconds: float, clients: int = 8) -> dict[str, float]:
    args = [sys.executable, "-m", "bench.serve", url] + (["--naive"] if naive else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)  # noqa: ASYNC220 (one server per run)
    try:
        assert proc.stdout is not None
        line = await asyncio.to_thread(proc.stdout.readline)
        port = int(line.split()[1])
        latencies: list[float] = []
        errors = 0
        rng = random.Random(7)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(50):  # wait until it answers
                try:
                    await http.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            deadline = time.perf_counter() + seconds

            async def client() -> None:
                nonlocal errors
                while time.perf_counter() < deadline:
                    who = f"learner:bench-{rng.randrange(learners):05d}"
                    t0 = time.perf_counter()
                    r = await http.post("/graphql", json={"query": QUERY}, headers={"x-test-learner": who})
                    latencies.append(time.perf_counter() - t0)
                    if r.status_code != 200 or r.json().get("errors"):
                        errors += 1

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "requests": len(latencies),
        "errors": errors,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    options = parser.parse_args()
    url = options.database_url
    if url is None:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    elif url.startswith("postgresql"):
        await reset_postgres(url)
    t0 = time.perf_counter()
    await seed(url, options.learners)
    took = time.perf_counter() - t0
    print(
        f"seeded {options.learners} learners x {PER_LEARNER} enrolments in {took:.1f}s ({url.split(':')[0]})"
    )
    print(f"{'mode':<12}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'errors':>8}")
    for label, naive in (("dataloaders", False), ("naive", True)):
        r = await measure(url, naive, options.learners, options.seconds)
        print(
            f"{label:<12}{r['rps']:>8.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{int(r['requests']):>10}{int(r['errors']):>8}"
        )


if __name__ == "__main__":
    asyncio.run(main())
