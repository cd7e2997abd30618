"""The example state module (examples/haryana_ai_skilling), installed with pip and
found only through its entry point: Haryana learners get its courses and
HRMS field, others do not, and switching it off removes it but keeps its data."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from gateway.conformance.pytest_plugin import ProviderConformance
from gateway.context import RequestContext
from gateway.directory.loaders import learners_by_id
from gateway.states.plans import plan_rules_for
from gateway.testing import GatewayClient, MakeGateway, error_codes
from schema.identity import Principal
from schema.plan_rules import financial_year_end

PACKAGE = Path(__file__).resolve().parents[2] / "examples" / "haryana_ai_skilling"
ON = {"state_modules": {"org:haryana": ["haryana_ai_skilling"]}}
MANOJ = "learner:demo-manoj"  # STATE_ADMIN, Haryana GAD
DEEPAK = "learner:demo-deepak"  # Haryana revenue department
ASHA = "learner:demo-asha"  # DoPT, a central ministry
COURSE = "hr_ai:ai-for-governance"

CATALOGUE = """
query {
  courses(filter: {providers: ["hr_ai"]}, first: 10) { totalCount edges { node { id title } } }
  providers { id }
}
"""
ONE = "query ($id: ID!) { course(id: $id) { id title } }"
CODE = "{ me { hrmsEmployeeCode } }"
SET = "mutation ($id: ID!, $code: String!) { setHrmsEmployeeCode(learnerId: $id, code: $code) { id hrmsEmployeeCode } }"


@pytest.fixture
def installed(pip_install: Callable[[Path], Path]) -> None:
    pip_install(PACKAGE)


async def haryana_on(make_gateway: MakeGateway) -> GatewayClient:
    return await make_gateway(**ON)


async def test_loads_through_its_entry_point(installed: None, make_gateway: MakeGateway) -> None:
    client = await haryana_on(make_gateway)
    info = client.gateway.plugins.infos["haryana_ai_skilling"]
    assert info.source == "entry point (karmayogi-haryana-ai-skilling)"
    assert client.gateway.states.describe()["haryana_ai_skilling"] == ["org:haryana"]
    assert client.gateway.provider_owners["hr_ai"] == "haryana_ai_skilling"
    ready = (await client.http.get("/readyz")).json()
    assert ready["stateModules"] == {"haryana_ai_skilling": ["org:haryana"]}
    status = {s.plugin: s for s in await client.gateway.migration_status()}
    assert status["haryana_ai_skilling"].current == ("0001",)


async def test_haryana_learners_see_its_courses(installed: None, make_gateway: MakeGateway) -> None:
    client = await haryana_on(make_gateway)
    for learner in (MANOJ, DEEPAK):
        body = await client.graphql(CATALOGUE, as_learner=learner)
        assert body["data"]["courses"]["totalCount"] == 3
        assert COURSE in {e["node"]["id"] for e in body["data"]["courses"]["edges"]}
        assert "hr_ai" in {p["id"] for p in body["data"]["providers"]}
        one = await client.graphql(ONE, {"id": COURSE}, as_learner=learner)
        assert one["data"]["course"]["title"] == "AI for Good Governance in Haryana"


async def test_other_learners_do_not(installed: None, make_gateway: MakeGateway) -> None:
    client = await haryana_on(make_gateway)
    body = await client.graphql(CATALOGUE, as_learner=ASHA)
    assert body["data"]["courses"] == {"totalCount": 0, "edges": []}
    assert "hr_ai" not in {p["id"] for p in body["data"]["providers"]}
    assert {p["id"] for p in body["data"]["providers"]} >= {"istm"}
    everything = await client.graphql("{ courses(first: 100) { edges { node { id } } } }", as_learner=ASHA)
    assert not [e for e in everything["data"]["courses"]["edges"] if e["node"]["id"].startswith("hr_ai:")]
    one = await client.graphql(ONE, {"id": COURSE}, as_learner=ASHA, expect_errors=True)
    assert one["data"] == {"course": None}
    assert error_codes(one) == ["NOT_FOUND"]
    node = await client.graphql('{ node(id: "hr_ai:ai-for-governance") { id } }', as_learner=ASHA)
    assert node["data"]["node"] is None
    entities = await client.graphql(
        'query { _entities(representations: [{__typename: "Course", id: "hr_ai:ai-for-governance"}]) '
        "{ ... on Course { id } } }",
        as_learner=ASHA,
    )
    assert entities["data"]["_entities"] == [None]
    mine = await client.graphql(
        'query { _entities(representations: [{__typename: "Course", id: "hr_ai:ai-for-governance"}]) '
        "{ ... on Course { id } } }",
        as_learner=MANOJ,
    )
    assert mine["data"]["_entities"] == [{"id": COURSE}]
    anonymous = await client.graphql(ONE, {"id": COURSE}, expect_errors=True)
    assert error_codes(anonymous) == ["NOT_FOUND"]


async def test_hrms_code_field_reaches_haryana_learners_only(
    installed: None, make_gateway: MakeGateway
) -> None:
    client = await haryana_on(make_gateway)
    assert (await client.graphql(CODE, as_learner=MANOJ))["data"]["me"] == {"hrmsEmployeeCode": "HR004512"}
    assert (await client.graphql(CODE, as_learner=ASHA))["data"]["me"] == {"hrmsEmployeeCode": None}
    # the SPV admin (outside Haryana) sees a Haryana learner's code: the rule follows the learner shown
    shown = await client.graphql(
        'query { learner(id: "learner:demo-deepak") { hrmsEmployeeCode } }', as_learner="learner:demo-admin"
    )
    assert shown["data"]["learner"] == {"hrmsEmployeeCode": "HR007731"}


async def test_setting_the_code(installed: None, make_gateway: MakeGateway) -> None:
    client = await haryana_on(make_gateway)
    done = await client.graphql(SET, {"id": DEEPAK, "code": "hr123456"}, as_learner=MANOJ)
    assert done["data"]["setHrmsEmployeeCode"] == {"id": DEEPAK, "hrmsEmployeeCode": "HR123456"}
    bad = await client.graphql(SET, {"id": DEEPAK, "code": "12345"}, as_learner=MANOJ, expect_errors=True)
    assert error_codes(bad) == ["BAD_USER_INPUT"]
    taken = await client.graphql(
        SET, {"id": DEEPAK, "code": "HR004512"}, as_learner=MANOJ, expect_errors=True
    )
    assert error_codes(taken) == ["CONFLICT"]
    outsider = await client.graphql(
        SET, {"id": ASHA, "code": "HR999999"}, as_learner=ASHA, expect_errors=True
    )
    assert error_codes(outsider) == ["FORBIDDEN"]
    still = await client.graphql(
        'query { learner(id: "learner:demo-deepak") { hrmsEmployeeCode } }', as_learner=MANOJ
    )
    assert still["data"]["learner"] == {"hrmsEmployeeCode": "HR123456"}


async def test_switching_it_off_removes_it_and_keeps_its_data(
    installed: None, make_gateway: MakeGateway
) -> None:
    await haryana_on(make_gateway)
    off = await make_gateway()  # same database, the module no longer listed for Haryana
    body = await off.graphql(CATALOGUE, as_learner=MANOJ)
    assert body["data"]["courses"]["totalCount"] == 0
    assert "hr_ai" not in {p["id"] for p in body["data"]["providers"]}
    assert (await off.graphql(CODE, as_learner=MANOJ))["data"]["me"] == {"hrmsEmployeeCode": None}
    one = await off.graphql(ONE, {"id": COURSE}, as_learner=MANOJ, expect_errors=True)
    assert error_codes(one) == ["NOT_FOUND"]
    async with off.gateway.db.sessionmaker() as session:
        kept = await session.scalar(
            text("SELECT code FROM haryana_hrms_codes WHERE learner_id = :id"), {"id": MANOJ}
        )
    assert kept == "HR004512"
    on_again = await haryana_on(make_gateway)
    assert (await on_again.graphql(CODE, as_learner=MANOJ))["data"]["me"] == {"hrmsEmployeeCode": "HR004512"}


async def plan_courses(client: GatewayClient, learner_id: str) -> dict[str, object]:
    ctx = RequestContext(
        gateway=client.gateway,
        request=None,
        principal=Principal(learner_id=learner_id, source="test"),
        request_id="test",
    )
    row = await ctx.load(learners_by_id, learner_id)
    assert row is not None
    return {rule.course_id: rule.due_on(datetime.date.today()) for _, rule in await plan_rules_for(ctx, row)}


async def test_mandatory_plan_rule_reaches_haryana_learners_only(
    installed: None, make_gateway: MakeGateway
) -> None:
    import datetime as dt

    client = await haryana_on(make_gateway)
    due = financial_year_end(dt.datetime.now(dt.UTC).date())
    assert (due.month, due.day) == (3, 31)
    assert await plan_courses(client, MANOJ) == {COURSE: due}
    assert await plan_courses(client, DEEPAK) == {COURSE: due}
    assert await plan_courses(client, ASHA) == {}
    off = await make_gateway()
    assert await plan_courses(off, MANOJ) == {}


PLAN = "{ me { plan { course { id } dueDate status assignedBy { id } } } }"


async def test_plan_item_in_the_learners_plan(installed: None, make_gateway: MakeGateway) -> None:
    import datetime as dt

    client = await haryana_on(make_gateway)
    due = financial_year_end(dt.datetime.now(dt.UTC).date()).isoformat()
    mine = await client.graphql(PLAN, as_learner=DEEPAK)
    assert {
        "course": {"id": COURSE},
        "dueDate": due,
        "status": "UPCOMING",
        "assignedBy": {"id": "org:haryana"},
    } in mine["data"]["me"]["plan"]
    theirs = await client.graphql(PLAN, as_learner=ASHA)
    assert COURSE not in {item["course"]["id"] for item in theirs["data"]["me"]["plan"]}
    off = await make_gateway()
    switched_off = await off.graphql(PLAN, as_learner=DEEPAK)
    assert COURSE not in {item["course"]["id"] for item in switched_off["data"]["me"]["plan"]}


async def test_collection_reaches_haryana_learners_only(installed: None, make_gateway: MakeGateway) -> None:
    client = await haryana_on(make_gateway)
    query = "{ collections { id } }"
    mine = await client.graphql(query, as_learner=MANOJ)
    assert "collection:haryana-ai-skilling" in {c["id"] for c in mine["data"]["collections"]}
    theirs = await client.graphql(query, as_learner=ASHA)
    assert "collection:haryana-ai-skilling" not in {c["id"] for c in theirs["data"]["collections"]}


async def test_not_installed_means_not_loaded(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    assert "haryana_ai_skilling" not in client.gateway.plugins.infos
    assert "hr_ai" not in client.gateway.providers


class TestHaryanaProviderConforms(ProviderConformance):
    """The module's hosted provider passes the content provider conformance kit."""

    @pytest.fixture
    async def content_provider(self, installed: None, make_gateway: MakeGateway) -> object:
        return (await haryana_on(make_gateway)).gateway.providers["hr_ai"]


RECOMMENDED = "{ me { recommendations(first: 50) { course { id } } } }"
ENROL = "mutation ($id: ID!) { enrol(courseId: $id) { id course { id } } }"
ENROLMENTS = "{ me { enrolments(first: 50) { totalCount } } }"


async def test_enrolment_and_recommendations_follow_the_state(
    installed: None, make_gateway: MakeGateway
) -> None:
    client = await haryana_on(make_gateway)
    outside = await client.graphql(ENROL, {"id": COURSE}, as_learner=ASHA, expect_errors=True)
    assert error_codes(outside) == ["NOT_FOUND"]
    assert (await client.graphql(ENROLMENTS, as_learner=ASHA))["data"]["me"]["enrolments"]["totalCount"] == 0

    def recommended(body: dict[str, object]) -> set[str]:
        return {r["course"]["id"] for r in body["data"]["me"]["recommendations"]}  # type: ignore[index]

    # As a DoPT Deputy Secretary, Asha needs artificial intelligence, which
    # Haryana's AI course builds; she is not in Haryana, so it is not offered.
    await client.graphql(
        'mutation { completeProfile(input: {organisationId: "org:dopt", designation: "Deputy Secretary"}) { id } }',
        as_learner=ASHA,
    )
    assert not [
        c for c in recommended(await client.graphql(RECOMMENDED, as_learner=ASHA)) if c.startswith("hr_ai:")
    ]
    assert COURSE in recommended(await client.graphql(RECOMMENDED, as_learner=DEEPAK))
    inside = await client.graphql(ENROL, {"id": COURSE}, as_learner=DEEPAK)
    assert inside["data"]["enrol"]["course"] == {"id": COURSE}


async def test_a_failing_state_provider_is_named_only_inside_its_state(
    installed: None, make_gateway: MakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await haryana_on(make_gateway)

    async def down(text: str | None) -> object:
        raise ConnectionError("Haryana's catalogue is down")

    monkeypatch.setattr(client.gateway.providers["hr_ai"], "search", down)
    outside = await client.graphql(RECOMMENDED, as_learner=ASHA)
    assert "errors" not in outside  # Asha is not told Haryana's provider exists
    inside = await client.graphql(RECOMMENDED, as_learner=DEEPAK, expect_errors=True)
    assert error_codes(inside) == ["PROVIDER_UNAVAILABLE"]
    assert inside["errors"][0]["extensions"]["provider"] == "hr_ai"
