"""Shared selections (gateway/execution/shared.py): a course's or a
competency's selection is completed once and reused across learners, equal to
what graphql-core answers (the fixtures verify every compiled query), never
older than a write that has answered, and only for fields declared the same
for every caller."""

from __future__ import annotations

from typing import Any

from gateway.execution import execution_state
from gateway.security.services import services_of
from gateway.testing import GatewayClient, MakeGateway
from tests.plugins.passbook.helpers import ASHA, RAHUL, enrol

COURSE = "istm:office-procedure"
QUERY = """query Mine { me { enrolments(first: 5) { edges { node { id course {
  id title provider { id name } competencies { level competency { id theme subTheme } } } } } } } }"""


async def ask(client: GatewayClient, who: str, query: str = QUERY) -> dict[str, Any]:
    body = await client.graphql(query, as_learner=who)
    assert "errors" not in body, body
    return body


def courses(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"]["course"] for e in body["data"]["me"]["enrolments"]["edges"]]


async def test_a_course_selection_is_completed_once_for_every_learner(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    for who in (ASHA, RAHUL):
        await enrol(client, who, COURSE)
    state = execution_state(client.gateway)
    assert state is not None
    await ask(client, ASHA)  # the answer cache confirms the operation: versions are read from now on
    before = state.shared.hits
    first = await ask(client, ASHA)
    second = await ask(client, RAHUL)
    assert state.shared.hits > before  # Rahul's course came from Asha's request
    assert courses(first) == courses(second)
    assert courses(second)[0]["title"] and courses(second)[0]["competencies"]
    # every compiled answer above was also computed by graphql-core and compared (the fixture fails otherwise)


async def test_a_write_changes_what_is_shared(make_gateway: MakeGateway) -> None:
    """A competency renamed (a directory write, which bumps its version) is
    seen by the next learner's request, not the copy another learner's made."""
    from sqlalchemy import update

    from gateway.directory.models import CompetencyRow

    client = await make_gateway()
    for who in (ASHA, RAHUL):
        await enrol(client, who, COURSE)
    await ask(client, ASHA)
    await ask(client, ASHA)
    competency = courses(await ask(client, ASHA))[0]["competencies"][0]["competency"]["id"]
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(CompetencyRow).where(CompetencyRow.id == competency).values(theme="Renamed theme")
        )
    themes = [
        r["competency"]["theme"]
        for r in courses(await ask(client, RAHUL))[0]["competencies"]
        if r["competency"]["id"] == competency
    ]
    assert themes == ["Renamed theme"]


async def test_only_fields_declared_shared_are_shared(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    await enrol(client, ASHA, COURSE)
    state = execution_state(client.gateway)
    assert state is not None
    shared = services_of(client.gateway).answers.plans.rules.fields
    assert "shared" in shared["Course.title"] and "shared" not in shared.get("Course.units", [])
    # A selection with a field not declared shared (Course.units: quizzes
    # show questions to enrolled learners only) is never shared.
    query = "query Units { me { enrolments(first: 1) { edges { node { course { id title units { title } } } } } } }"
    for _ in range(3):
        await ask(client, ASHA, query)
    plans = [p for key, p in state.plans.items() if key[1] == "Units"]
    assert plans
    course_plan = _find(plans[0].root, "Course")
    assert course_plan is not None and course_plan.root is None and not course_plan.shared
    # the same course selected without units is shared
    for _ in range(3):
        await ask(client, ASHA)
    mine = _find(next(p for key, p in state.plans.items() if key[1] == "Mine").root, "Course")
    assert mine is not None and mine.root is not None


def _find(plan: Any, type_name: str) -> Any:
    from gateway.execution.plan import _targets

    seen: set[int] = set()
    todo = [plan]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.type.name == type_name:
            return current
        for f in current.fields:
            todo.extend(_targets(f.type))
    return None
