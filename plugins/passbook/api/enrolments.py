"""``Enrolment`` and what hangs off it: progress, attempts, what is missing."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry
from strawberry import Info

from gateway.catalogue.loaders import courses_by_id
from gateway.context import context_of
from gateway.directory.loaders import learners_by_id
from plugins.passbook import rules
from plugins.passbook.api.certificates import Certificate
from plugins.passbook.loaders import (
    attempts_by_enrolment,
    certificate_of_now,
    course_views,
    progress_by_enrolment,
)
from plugins.passbook.rows import EnrolmentLike, QuizAttemptLike
from schema.common import Node, PageInfo
from schema.content import Course, Quiz, Resource
from schema.context import MaybeAwaitable, awaited, then
from schema.errors import NotFound
from schema.learner import Learner


@strawberry.enum
class EnrolmentStatus(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


async def course_of(info: Info, course_id: str) -> Course:
    return await awaited(course_of_now(info, course_id))


def course_of_now(info: Info, course_id: str) -> MaybeAwaitable[Course]:
    """:func:`course_of` at once when the request has read the course."""

    def found(record: Any) -> Course:
        if record is None:
            raise NotFound(
                f"The course {course_id} is not in the catalogue (or its provider is unavailable)."
            )
        return Course.of(record)

    return then(context_of(info).load_now(courses_by_id, course_id), found)


def _resource(record: object, resource_id: str) -> Any:
    for unit in getattr(record, "units", ()):
        for res in unit.resources:
            if res.id == resource_id:
                return res
    return None


@strawberry.type
class ResourceProgress:
    resource: Resource
    percent: int
    completed: bool
    updated_at: dt.datetime


@strawberry.type
class QuizAttempt:
    quiz: Quiz
    attempt: int
    score_percent: int
    passed: bool
    submitted_at: dt.datetime

    @classmethod
    async def of(cls, info: Info, row: QuizAttemptLike, course_id: str) -> QuizAttempt | None:
        record = await context_of(info).load(courses_by_id, course_id)
        res = _resource(record, row.resource_id) if record is not None else None
        quiz = getattr(res, "quiz", None)
        if quiz is None:
            return None
        return cls(
            quiz=Quiz.of(quiz, course_id),
            attempt=row.attempt,
            score_percent=row.score_percent,
            passed=row.passed,
            submitted_at=row.submitted_at,
        )


@strawberry.type
class Enrolment(Node):
    id: strawberry.ID
    status: EnrolmentStatus
    progress_percent: int
    enrolled_at: dt.datetime
    completed_at: dt.datetime | None
    feedback_given: bool
    row: strawberry.Private[EnrolmentLike]

    @classmethod
    def from_row(cls, row: EnrolmentLike) -> Enrolment:
        return cls(
            id=strawberry.ID(row.id),
            status=EnrolmentStatus(row.status),
            progress_percent=row.progress_percent,
            enrolled_at=row.enrolled_at,
            completed_at=row.completed_at,
            feedback_given=row.feedback_rating is not None,
            row=row,
        )

    @strawberry.field
    async def learner(self, info: Info) -> Learner:
        row = await context_of(info).load(learners_by_id, self.row.learner_id)
        assert row is not None, "enrolments belong to existing learners"
        return Learner.from_row(row)

    @strawberry.field(graphql_type=Course)
    def course(self, info: Info) -> MaybeAwaitable[Course]:
        return course_of_now(info, self.row.course_id)

    @strawberry.field
    async def resource_progress(self, info: Info) -> list[ResourceProgress]:
        ctx = context_of(info)
        rows = await ctx.load(progress_by_enrolment, self.row.id)
        record = await ctx.load(courses_by_id, self.row.course_id)
        result = []
        for row in rows:
            res = _resource(record, row.resource_id) if record is not None else None
            if res is None:
                continue  # the provider no longer lists this resource
            result.append(
                ResourceProgress(
                    resource=Resource.of(res, self.row.course_id),
                    percent=row.percent,
                    completed=row.completed,
                    updated_at=row.updated_at,
                )
            )
        return result

    @strawberry.field
    async def attempts(self, info: Info) -> list[QuizAttempt]:
        rows = await context_of(info).load(attempts_by_enrolment, self.row.id)
        attempts = [await QuizAttempt.of(info, row, self.row.course_id) for row in rows]
        return [a for a in attempts if a is not None]

    @strawberry.field(
        description=(
            "What still stands between this enrolment and completion, in plain words; empty once completed."
        )
    )
    async def missing_for_completion(self, info: Info) -> list[str]:
        if self.row.status == "COMPLETED":
            return []
        ctx = context_of(info)
        course = await ctx.load(course_views, self.row.course_id)
        if course is None:
            return ["The course is not available from its provider right now; try again later"]
        progress = await ctx.load(progress_by_enrolment, self.row.id)
        attempts = await ctx.load(attempts_by_enrolment, self.row.id)
        state = rules.state_from(
            [(p.resource_id, p.percent) for p in progress],
            [(a.resource_id, a.passed) for a in attempts],
            self.row.feedback_rating is not None,
        )
        return rules.missing_for_completion(course, state, completed=False)

    @strawberry.field(graphql_type=Certificate | None)
    def certificate(self, info: Info) -> MaybeAwaitable[Certificate | None]:
        return then(certificate_of_now(context_of(info), self.row), Certificate.maybe)


@strawberry.type
class EnrolmentEdge:
    cursor: str
    node: Enrolment


@strawberry.type
class EnrolmentConnection:
    edges: list[EnrolmentEdge]
    page_info: PageInfo
    total_count: int
