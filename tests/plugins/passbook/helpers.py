"""Shared GraphQL snippets and helpers for the passbook tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.testing import GatewayClient

ROOT = Path(__file__).resolve().parents[3]
ISTM_FEED = ROOT / "plugins" / "content_istm" / "demo_feed.json"
COURSE = "istm:office-procedure"
ASHA = "learner:demo-asha"
RAHUL = "learner:demo-rahul"

ENROL = "mutation($c: ID!) { enrol(courseId: $c) { id status progressPercent } }"
PROGRESS = """mutation($e: ID!, $r: ID!, $p: Int!) {
  recordProgress(enrolmentId: $e, resourceId: $r, percent: $p) {
    id status progressPercent missingForCompletion certificate { id accessCode verifyUrl downloadUrl }
  }
}"""
QUIZ = """mutation($e: ID!, $r: ID!, $a: [QuizAnswerInput!]!) {
  submitQuiz(enrolmentId: $e, resourceId: $r, answers: $a) { attempt scorePercent passed quiz { id } }
}"""
FEEDBACK = """mutation($e: ID!, $rating: Int!, $comment: String) {
  submitFeedback(enrolmentId: $e, rating: $rating, comment: $comment) {
    id status feedbackGiven missingForCompletion
    certificate { id accessCode learnerName verifyUrl downloadUrl course { id title } }
  }
}"""


def feed_course(local_id: str) -> dict[str, Any]:
    feed = json.loads(ISTM_FEED.read_text())
    return next(c for c in feed["courses"] if c["id"] == local_id)


def resources(local_id: str) -> list[dict[str, Any]]:
    return [r for u in feed_course(local_id)["units"] for r in u["resources"]]


def qualified(course_id: str, local: str) -> str:
    return f"{course_id}/{local}"


def answers(local_id: str, right: bool) -> tuple[str, list[dict[str, Any]]]:
    """(quiz resource id, answers) all right or all wrong, from the demo feed's key."""
    quiz_res = next(r for r in resources(local_id) if r["kind"] == "QUIZ")
    out = []
    for q in quiz_res["quiz"]["questions"]:
        key = q["answers"]
        chosen = key if right else [next(i for i in range(len(q["options"])) if i not in key)]
        out.append({"questionId": f"istm:{local_id}/{quiz_res['quiz']['id']}/{q['id']}", "selected": chosen})
    return f"istm:{local_id}/{quiz_res['id']}", out


async def enrol(client: GatewayClient, who: str = ASHA, course: str = COURSE) -> str:
    body = await client.graphql(ENROL, {"c": course}, as_learner=who)
    return str(body["data"]["enrol"]["id"])


async def finish_viewing(
    client: GatewayClient, enrolment: str, who: str = ASHA, local: str = "office-procedure"
) -> None:
    for res in resources(local):
        if res["kind"] in ("QUIZ", "SURVEY"):
            continue
        await client.graphql(
            PROGRESS, {"e": enrolment, "r": f"istm:{local}/{res['id']}", "p": 100}, as_learner=who
        )
