"""Every bad input the issue names answers a clear error and stores nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.directory.models import LearnerRow
from gateway.testing import GatewayClient, error_codes
from plugins.passbook.models import (
    EnrolmentRow,
    KarmaRow,
    PlanItemRow,
    QuizAttemptRow,
    ResourceProgressRow,
)
from tests.plugins.passbook.helpers import (
    ASHA,
    COURSE,
    ENROL,
    FEEDBACK,
    PROGRESS,
    QUIZ,
    RAHUL,
    answers,
    enrol,
)

ASSIGN = """mutation($i: PlanInput!) { assignPlan(input: $i) { dueDate status course { id } assignedBy { id } } }"""
VIKRAM = "learner:demo-vikram"  # MDO admin of org:dopt


async def snapshot(client: GatewayClient) -> dict[str, Any]:
    """Everything the passbook stores that bad input could touch."""
    async with client.gateway.db.sessionmaker() as session:
        counts = {}
        for model in (EnrolmentRow, ResourceProgressRow, QuizAttemptRow, KarmaRow, PlanItemRow):
            counts[model.__tablename__] = await session.scalar(select(func.count()).select_from(model))
        counts["progress"] = sorted(
            (
                await session.execute(select(ResourceProgressRow.resource_id, ResourceProgressRow.percent))
            ).all()
        )
        counts["feedback"] = sorted(
            (await session.execute(select(EnrolmentRow.id, EnrolmentRow.feedback_rating))).all()
        )
    return counts


async def expect_refused(
    client: GatewayClient, query: str, variables: dict[str, Any], code: str, who: str = ASHA
) -> dict[str, Any]:
    before = await snapshot(client)
    body = await client.graphql(query, variables, as_learner=who, expect_errors=True)
    assert error_codes(body) == [code], body
    assert body["_status"] != 500
    assert await snapshot(client) == before, "a refused request changed stored data"
    return body


@pytest.fixture
async def enrolment(client: GatewayClient) -> str:
    eid = await enrol(client)
    await client.graphql(PROGRESS, {"e": eid, "r": f"{COURSE}/u1-video", "p": 40}, as_learner=ASHA)
    return eid


@pytest.mark.parametrize("percent", [-1, 101])
async def test_percent_out_of_range(client: GatewayClient, enrolment: str, percent: int) -> None:
    body = await expect_refused(
        client, PROGRESS, {"e": enrolment, "r": f"{COURSE}/u1-video", "p": percent}, "BAD_USER_INPUT"
    )
    assert "between 0 and 100" in body["errors"][0]["message"]


async def test_unknown_resource(client: GatewayClient, enrolment: str) -> None:
    await expect_refused(
        client, PROGRESS, {"e": enrolment, "r": f"{COURSE}/no-such", "p": 50}, "BAD_USER_INPUT"
    )


async def test_unknown_quiz(client: GatewayClient, enrolment: str) -> None:
    _, right = answers("office-procedure", right=True)
    await expect_refused(
        client, QUIZ, {"e": enrolment, "r": f"{COURSE}/u1-video", "a": right}, "BAD_USER_INPUT"
    )
    await expect_refused(client, QUIZ, {"e": enrolment, "r": f"{COURSE}/nope", "a": right}, "BAD_USER_INPUT")


async def test_another_learners_enrolment(client: GatewayClient, enrolment: str) -> None:
    quiz, right = answers("office-procedure", right=True)
    await expect_refused(
        client, PROGRESS, {"e": enrolment, "r": f"{COURSE}/u1-video", "p": 90}, "FORBIDDEN", who=RAHUL
    )
    await expect_refused(client, QUIZ, {"e": enrolment, "r": quiz, "a": right}, "FORBIDDEN", who=RAHUL)
    await expect_refused(client, FEEDBACK, {"e": enrolment, "rating": 4}, "FORBIDDEN", who=RAHUL)


async def test_answers_naming_unknown_questions_or_options(client: GatewayClient, enrolment: str) -> None:
    quiz, right = answers("office-procedure", right=True)
    unknown_question = [*right[:-1], {"questionId": f"{right[-1]['questionId']}x", "selected": [0]}]
    await expect_refused(client, QUIZ, {"e": enrolment, "r": quiz, "a": unknown_question}, "BAD_USER_INPUT")
    bad_option = [*right[:-1], {"questionId": right[-1]["questionId"], "selected": [7]}]
    body = await expect_refused(client, QUIZ, {"e": enrolment, "r": quiz, "a": bad_option}, "BAD_USER_INPUT")
    assert "7 is not one of them" in body["errors"][0]["message"]
    negative = [*right[:-1], {"questionId": right[-1]["questionId"], "selected": [-1]}]
    await expect_refused(client, QUIZ, {"e": enrolment, "r": quiz, "a": negative}, "BAD_USER_INPUT")


async def test_quiz_past_its_attempt_limit(client: GatewayClient, enrolment: str) -> None:
    quiz, wrong = answers("office-procedure", right=False)
    _, right = answers("office-procedure", right=True)
    for attempt in (1, 2, 3):
        body = await client.graphql(QUIZ, {"e": enrolment, "r": quiz, "a": wrong}, as_learner=ASHA)
        assert body["data"]["submitQuiz"]["attempt"] == attempt
    got = await expect_refused(client, QUIZ, {"e": enrolment, "r": quiz, "a": right}, "BAD_USER_INPUT")
    assert "all 3 attempts" in got["errors"][0]["message"]
    missing = await client.graphql(
        "query($id: ID!) { node(id: $id) { ... on Enrolment { missingForCompletion } } }",
        {"id": enrolment},
        as_learner=ASHA,
    )
    assert any("no attempts left" in m for m in missing["data"]["node"]["missingForCompletion"])


@pytest.mark.parametrize("rating", [0, 6])
async def test_rating_out_of_range(client: GatewayClient, enrolment: str, rating: int) -> None:
    await expect_refused(client, FEEDBACK, {"e": enrolment, "rating": rating}, "BAD_USER_INPUT")


async def test_plan_outside_the_admins_tree(client: GatewayClient) -> None:
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    plan = {
        "organisationId": "org:haryana",
        "courseIds": [COURSE],
        "assignment": "ALL_LEARNERS",
        "dueDate": due,
    }
    await expect_refused(client, ASSIGN, {"i": plan}, "FORBIDDEN", who=VIKRAM)
    # a plain learner may not assign even in their own organisation
    await expect_refused(client, ASSIGN, {"i": {**plan, "organisationId": "org:dopt"}}, "FORBIDDEN", who=ASHA)


async def test_plan_due_date_in_the_past(client: GatewayClient) -> None:
    past = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    plan = {
        "organisationId": "org:dopt",
        "courseIds": [COURSE],
        "assignment": "ALL_LEARNERS",
        "dueDate": past,
    }
    body = await expect_refused(client, ASSIGN, {"i": plan}, "BAD_USER_INPUT", who=VIKRAM)
    assert "in the past" in body["errors"][0]["message"]


async def test_plan_with_unknown_course_or_missing_targets(client: GatewayClient) -> None:
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    base = {"organisationId": "org:dopt", "courseIds": [COURSE], "dueDate": due}
    await expect_refused(
        client,
        ASSIGN,
        {"i": {**base, "courseIds": ["istm:nope"], "assignment": "ALL_LEARNERS"}},
        "BAD_USER_INPUT",
        who=VIKRAM,
    )
    await expect_refused(
        client, ASSIGN, {"i": {**base, "assignment": "DESIGNATION"}}, "BAD_USER_INPUT", who=VIKRAM
    )
    await expect_refused(
        client,
        ASSIGN,
        {"i": {**base, "assignment": "LEARNERS", "learnerIds": ["learner:demo-manoj"]}},
        "BAD_USER_INPUT",
        who=VIKRAM,
    )


async def test_pending_learner_cannot_enrol(client: GatewayClient) -> None:
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        learner = await session.get(LearnerRow, RAHUL)
        assert learner is not None
        learner.status = "PENDING"
    body = await expect_refused(client, ENROL, {"c": COURSE}, "FORBIDDEN", who=RAHUL)
    assert "awaiting approval" in body["errors"][0]["message"]
    # The kernel's one rule decides, with the reason docs/identity.md gives.
    assert body["errors"][0]["extensions"]["reason"] == "PENDING_APPROVAL"


async def test_unknown_course_and_signed_out(client: GatewayClient) -> None:
    await expect_refused(client, ENROL, {"c": "istm:no-such-course"}, "NOT_FOUND")
    before = await snapshot(client)
    body = await client.graphql(ENROL, {"c": COURSE}, expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await snapshot(client) == before
