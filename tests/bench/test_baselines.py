"""The benchmark's baselines answer the dashboard with the gateway's bytes.

``bench.run`` compares the lean server (``bench/lean``) and the hand-compiled
floor (``bench/floor.py``) with the gateway before any load; this test keeps
them from drifting between runs: seeded bench learners (enrolments, a third
completed with certificates and evidence), plan items of every scope, karma,
self-declared evidence with levels, and the demo directory's learners (other
organisations, no organisation, no designation, sign-in by email), byte for
byte. The floor is PostgreSQL only: it runs when the test database is.
"""

from __future__ import annotations

import datetime as dt

import httpx
import orjson
import pytest

from bench.catalogue import SyntheticPlugin
from bench.dashboard import seed
from bench.floor import make_app as make_floor
from bench.lean.app import load_catalogue
from bench.lean.app import make_app as make_lean
from bench.operations import DASHBOARD
from gateway.testing import GatewayClient, MakeGateway
from plugins.passbook.models import EvidenceRow, KarmaRow, PlanItemRow

COURSES = 60
BENCH = [f"learner:bench-{n:05d}" for n in range(3)]
DEMO = [
    "learner:demo-asha",
    "asha.verma@dopt.gov.in",  # signed in by email
    "learner:demo-farah",
    "learner:demo-deepak",
    "learner:demo-geeta",  # no organisation, no designation
    "learner:demo-tenzin",  # no designation
    "learner:nobody",  # not a learner: me is null
]


async def add_records(client: GatewayClient) -> None:
    today = dt.date.today()
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        session.add_all(
            [
                PlanItemRow(
                    organisation_id="org:dopt",
                    course_id="istm:rti-act",
                    scope="ALL_LEARNERS",
                    due_date=today + dt.timedelta(days=9),
                    assigned_by="learner:demo-admin",
                ),
                PlanItemRow(
                    organisation_id="org:dopt",
                    course_id="synthetic:course-050",
                    scope="DESIGNATION",
                    target="section officer",
                    due_date=today - dt.timedelta(days=3),
                    assigned_by="learner:demo-admin",
                ),
                PlanItemRow(
                    organisation_id="org:nic",
                    course_id="synthetic:course-000",  # completed by bench-00000: DONE
                    scope="LEARNER",
                    target=BENCH[0],
                    due_date=today + dt.timedelta(days=30),
                    assigned_by="learner:demo-admin",
                ),
                KarmaRow(learner_id=BENCH[0], kind="COURSE_COMPLETED", points=40, context_id="x"),
                KarmaRow(learner_id=BENCH[0], kind="QUIZ_PASSED", points=5, context_id="y"),
                EvidenceRow(
                    learner_id=BENCH[1],
                    competency_id="comp:functional-establishment-service-matters",
                    level="ADVANCED",
                    channel="SELF_DECLARED",
                    context_id="declaration:1",
                    acquired_at=dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC),
                ),
                EvidenceRow(
                    learner_id=BENCH[1],
                    competency_id="comp:functional-establishment-service-matters",
                    level="BASIC",
                    channel="EVENT",
                    context_id="event:1",
                    acquired_at=dt.datetime(2026, 4, 1, 4, 0, tzinfo=dt.UTC),
                ),
            ]
        )


async def answers(app: object, learners: list[str]) -> dict[str, bytes]:
    found = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        for who in learners:
            response = await http.post("/graphql", json={"query": DASHBOARD}, headers={"x-test-learner": who})
            assert response.status_code == 200, response.text
            found[who] = response.content
    return found


@pytest.fixture
async def gateway(database_url: str, make_gateway: MakeGateway) -> GatewayClient:
    await seed(database_url, len(BENCH), COURSES)  # bench.dashboard's own seeding (and the demo directory)
    # public_url set, so links name it whatever Host the request carries, as in bench.run
    client = await make_gateway(
        extra_plugins=[("synthetic", SyntheticPlugin(COURSES))], public_url="http://127.0.0.1:8000"
    )
    await add_records(client)
    return client


async def test_baselines_answer_with_the_gateways_bytes(gateway: GatewayClient, database_url: str) -> None:
    learners = BENCH + DEMO
    expected = await answers(gateway.app, learners)
    assert b'"errors"' not in b"".join(expected.values())
    plan = orjson.loads(expected[BENCH[0]])["data"]["me"]["plan"]
    assert [(p["course"]["id"], p["status"]) for p in plan] == [
        ("synthetic:course-050", "OVERDUE"),
        ("istm:rti-act", "UPCOMING"),
        ("synthetic:course-000", "DONE"),
    ]
    assert b'"karmaPoints":45' in expected[BENCH[0]]
    assert b'"level":"ADVANCED"' in expected[BENCH[1]]
    assert b'"certificate":{"id":' in expected[BENCH[2]]
    assert expected["learner:nobody"] == b'{"data":{"me":null}}'

    public_url = gateway.gateway.settings.public_url
    lean = make_lean(database_url, COURSES, public_url)
    lean.state.graphql.catalogue = await load_catalogue(lean.state.graphql.engine, COURSES)
    try:
        got = await answers(lean, learners)
    finally:
        await lean.state.graphql.engine.dispose()
    for who in learners:
        assert got[who] == expected[who], f"lean server, {who}"

    if not database_url.startswith("postgresql"):
        return  # the floor is PostgreSQL only
    floor = make_floor(database_url, COURSES, public_url)
    await floor.floor.start()  # type: ignore[attr-defined]
    try:
        got = await answers(floor, learners)
    finally:
        await floor.floor.stop()  # type: ignore[attr-defined]
    for who in learners:
        assert got[who] == expected[who], f"floor, {who}"
