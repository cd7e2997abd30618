"""The answer cache: query answers per caller, never stale (docs/caching.md)."""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from gateway.answers import store
from gateway.security.services import catalogue_changed, services_of
from gateway.testing import GatewayClient, SqlCounter
from tests.plugins.passbook.helpers import COURSE, PROGRESS, enrol

DASHBOARD = (Path(__file__).parents[2] / "bench" / "queries" / "dashboard.graphql").read_text()
ASHA = "learner:demo-asha"
VIDEO = f"{COURSE}/u1-video"


async def ask(
    client: GatewayClient, query: str = DASHBOARD, who: str | None = ASHA, variables: Any = None
) -> tuple[str | None, Any]:
    headers = {"x-test-learner": who} if who else {}
    response = await client.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return response.headers.get("x-karmayogi-answer"), body


def progress_of(body: Any, enrolment_id: str) -> int:
    for edge in body["data"]["me"]["enrolments"]["edges"]:
        if edge["node"]["id"] == enrolment_id:
            return int(edge["node"]["progressPercent"])
    raise AssertionError(f"no enrolment {enrolment_id}")


async def test_a_warm_dashboard_is_served_without_executing_and_a_write_makes_it_fresh(
    make_gateway: Any, sql_counter: SqlCounter
) -> None:
    client = await make_gateway()
    state, first = await ask(client)
    assert state == "miss"  # first sight: computed, and the operation known good from now on
    state, first = await ask(client)
    assert state == "miss"  # kept
    reader = services_of(client.gateway).answers.reader
    reads = reader.reads
    with sql_counter as counter:
        state, second = await ask(client)
    assert state == "hit"
    assert second == first
    # The test identity's own lookup and one read of the scope versions (on
    # PostgreSQL through asyncpg directly, so not among SQLAlchemy's
    # statements): no resolver ran, no ORM read.
    assert reader.reads == reads + 1
    others = [s for s in counter.statements if "cache_versions" not in s]
    assert len(others) == 1 and "FROM learners" in others[0], counter.statements

    enrolment = await enrol(client)
    state, enrolled = await ask(client)
    assert state == "miss"
    assert progress_of(enrolled, enrolment) == 0
    assert (await ask(client))[0] == "hit"
    written = await client.graphql(PROGRESS, {"e": enrolment, "r": VIDEO, "p": 100}, as_learner=ASHA)
    after = written["data"]["recordProgress"]["progressPercent"]
    assert after > 0
    state, third = await ask(client)
    assert state == "miss"
    assert progress_of(third, enrolment) == after


async def test_another_learners_write_leaves_the_answer_cached(make_gateway: Any) -> None:
    client = await make_gateway()
    assert [(await ask(client))[0] for _ in range(3)] == ["miss", "miss", "hit"]
    other = await client.graphql("{ courses(first: 1) { edges { node { id } } } }")
    course = other["data"]["courses"]["edges"][0]["node"]["id"]
    await client.graphql(
        "mutation($c: ID!) { enrol(courseId: $c) { id } }", {"c": course}, as_learner="learner:demo-ravi"
    )
    state, _ = await ask(client)
    assert state == "hit"


async def test_many_learners_at_once_each_get_their_own_answer(make_gateway: Any) -> None:
    client = await make_gateway()
    listed = await client.graphql(
        "{ organisations { id } }",
    )
    assert listed["data"]["organisations"]
    learners = await learner_ids(client)
    assert len(learners) >= 5, learners
    query = "query Me { me { id name passbook { karmaPoints } } }"
    for _ in range(3):  # first sight, cold, then warm
        answers = await asyncio.gather(*(ask(client, query, who) for who in learners for _ in range(3)))
        for (_, body), who in zip(answers, [w for w in learners for _ in range(3)], strict=True):
            assert body["data"]["me"]["id"] == who
    states = [state for state, _ in answers]
    assert states.count("hit") == len(states)


async def learner_ids(client: GatewayClient) -> list[str]:
    from sqlalchemy import select

    from gateway.directory.models import LearnerRow

    async with client.gateway.db.sessionmaker() as session:
        rows = await session.scalars(
            select(LearnerRow.id).where(LearnerRow.status == "ACTIVE").order_by(LearnerRow.id)
        )
        return list(rows)


async def test_a_field_without_declarations_is_a_counted_bypass(make_gateway: Any) -> None:
    client = await make_gateway()
    query = "{ providers { id healthy } }"
    for _ in range(2):
        state, _ = await ask(client, query)
        assert state == "bypass"
    # A mutation is not a lookup: neither counted nor marked.
    state, _ = await ask(client, 'mutation { enrol(courseId: "istm:rti-act") { id } }')
    assert state is None
    metrics = (await client.http.get("/metrics")).text
    assert 'karmayogi_cache_bypasses_total{cache="answers",reason="uncacheable"} 2.0' in metrics
    # Declared fields only: cached, for anyone signed in or not.
    for who, expected in ((ASHA, ["miss", "miss", "hit"]), (None, ["miss", "hit", "hit"])):
        states = [(await ask(client, "{ providers { id name } }", who))[0] for _ in range(3)]
        assert states == expected
    metrics = (await client.http.get("/metrics")).text
    assert 'karmayogi_cache_lookups_total{cache="answers",result="hit"} 3.0' in metrics


async def test_a_catalogue_sync_and_the_setting(make_gateway: Any) -> None:
    client = await make_gateway()
    query = "{ courses(first: 3) { edges { node { id title } } } }"
    assert [(await ask(client, query))[0] for _ in range(3)] == ["miss", "miss", "hit"]
    await catalogue_changed(client.gateway)
    assert (await ask(client, query))[0] == "miss"
    off = await make_gateway(answer_cache={"enabled": False}, load_demo_data=False)
    for _ in range(2):
        state, _ = await ask(off, query)
        assert state is None
    assert services_of(off.gateway).answers.enabled is False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise AssertionError("redis-server did not start")


async def test_redis_down_bypasses_the_cache_and_it_comes_back_by_itself(
    make_gateway: Any, tmp_path: Path, caplog: Any
) -> None:
    port = free_port()
    redis = start_redis(port, tmp_path)
    try:
        client = await make_gateway(redis_url=f"redis://127.0.0.1:{port}/0")
        assert [(await ask(client))[0] for _ in range(3)] == ["miss", "miss", "hit"]
        redis.terminate()
        redis.wait()
        caplog.set_level(logging.WARNING, logger="gateway.answers")
        answers = [await ask(client) for _ in range(3)]
        assert [state for state, _ in answers] == ["bypass"] * 3
        assert all(body["data"]["me"]["id"] == ASHA for _, body in answers)
        down = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
        assert len(down) == 1  # logged once, however many requests
        metrics = (await client.http.get("/metrics")).text
        assert 'karmayogi_cache_bypasses_total{cache="answers",reason="store_unavailable"}' in metrics
        redis = start_redis(port, tmp_path)
        await asyncio.sleep(store.RETRY_SECONDS + 0.1)
        assert [(await ask(client))[0] for _ in range(2)] == ["miss", "hit"]
    finally:
        redis.kill()
        redis.wait()


async def test_writes_bump_the_scopes_of_what_they_change(make_gateway: Any) -> None:
    """Which versions a write moves: the learner's own for their rows, the
    declared scope for a table, ``global`` for a table nobody declared."""
    from sqlalchemy import select, update

    from gateway.answers.models import ScopeVersionRow
    from gateway.directory.models import OrganisationRow
    from plugins.passbook.models import EnrolmentRow

    client = await make_gateway()
    await enrol(client)
    db = client.gateway.db

    async def versions() -> dict[str, int]:
        async with db.sessionmaker() as session:
            rows = await session.execute(select(ScopeVersionRow.scope, ScopeVersionRow.version))
            return {scope: version for scope, version in rows}

    before = await versions()
    async with db.write_sessionmaker() as session, session.begin():  # an ORM row of one learner
        row = (await session.scalars(select(EnrolmentRow).where(EnrolmentRow.learner_id == ASHA))).first()
        assert row is not None
        row.feedback_comment = "useful"
    after = await versions()
    changed = {scope for scope in after if after[scope] != before.get(scope)}
    assert changed == {f"learner:{ASHA}"}

    async with db.write_sessionmaker() as session, session.begin():  # a directory table, in SQL
        await session.execute(
            update(OrganisationRow).where(OrganisationRow.id == "org:dopt").values(name="DoPT")
        )
    again = await versions()
    assert {scope for scope in again if again[scope] != after.get(scope)} == {"directory"}

    async with db.write_sessionmaker() as session, session.begin():  # a learner-owned table, in SQL
        await session.execute(
            update(EnrolmentRow).where(EnrolmentRow.learner_id == ASHA).values(feedback_comment="x")
        )
    last = await versions()
    assert {scope for scope in last if last[scope] != again.get(scope)} == {"global"}
