"""The passbook's mutations. Each validates first (nothing is stored on bad
input), asks the provider what it must (course structure, grading) outside the
transaction, then writes in one transaction."""

from __future__ import annotations

import strawberry
from strawberry import Info

from gateway.context import RequestContext, context_of
from plugins.passbook import courses, service
from plugins.passbook.api.enrolments import Enrolment, QuizAttempt
from plugins.passbook.api.planning import assign_plan as assign_plan_items
from plugins.passbook.api.plans import PlanInput, PlanItem
from plugins.passbook.api.records import PassbookEntry, entries_of
from plugins.passbook.loaders import attempts_by_enrolment
from plugins.passbook.runtime import runtime_of
from schema.errors import BadUserInput, NotFound


@strawberry.input
class QuizAnswerInput:
    question_id: strawberry.ID
    selected: list[int] = strawberry.field(description="Indexes into Question.options.")


async def _own_enrolment_course(ctx: RequestContext, enrolment_id: str) -> courses.CourseView:
    principal = ctx.require_principal()
    async with ctx.db() as session:
        row = await service.own_enrolment(session, enrolment_id, principal.learner_id)
    return await courses.require_course(ctx.gateway, row.course_id)


async def enrol(info: Info, course_id: strawberry.ID) -> Enrolment:
    ctx = context_of(info)
    principal = ctx.require_principal()
    if not await ctx.gateway.states.course_reaches_principal(ctx, str(course_id)):
        # a state module's course, and the learner is not in that state: as if it did not exist
        raise NotFound(f"No course {course_id}.")
    course = await courses.require_course(ctx.gateway, str(course_id))
    async with ctx.write() as session:
        row = await service.enrol(runtime_of(ctx.gateway), session, principal.learner_id, course)
    return Enrolment.from_row(row)


async def record_progress(
    info: Info, enrolment_id: strawberry.ID, resource_id: strawberry.ID, percent: int
) -> Enrolment:
    """Idempotent; progress never goes down."""
    ctx = context_of(info)
    principal = ctx.require_principal()
    service.check_percent(percent)
    course = await _own_enrolment_course(ctx, str(enrolment_id))
    leaf = service.viewed_leaf(course, str(resource_id))
    async with ctx.write() as session:
        row = await service.record_progress(
            runtime_of(ctx.gateway), session, str(enrolment_id), principal.learner_id, course, leaf, percent
        )
    return Enrolment.from_row(row)


async def submit_quiz(
    info: Info, enrolment_id: strawberry.ID, resource_id: strawberry.ID, answers: list[QuizAnswerInput]
) -> QuizAttempt:
    ctx = context_of(info)
    principal = ctx.require_principal()
    course = await _own_enrolment_course(ctx, str(enrolment_id))
    leaf = service.quiz_leaf(course, str(resource_id))
    assert leaf.quiz is not None
    checked = service.check_answers(leaf, [(str(a.question_id), a.selected) for a in answers])
    used = len(
        [a for a in await ctx.load(attempts_by_enrolment, str(enrolment_id)) if a.resource_id == leaf.id]
    )
    service.check_attempts_left(leaf, used)
    score, passed = await courses.grade(ctx.gateway, course, leaf.quiz, checked)
    async with ctx.write() as session:
        row = await service.submit_quiz(
            runtime_of(ctx.gateway),
            session,
            str(enrolment_id),
            principal.learner_id,
            course,
            leaf,
            score,
            passed,
        )
    attempt = await QuizAttempt.of(info, row, course.id)
    if attempt is None:
        raise NotFound("The quiz is no longer offered by its provider.")
    return attempt


async def submit_feedback(
    info: Info, enrolment_id: strawberry.ID, rating: int, comment: str | None = None
) -> Enrolment:
    ctx = context_of(info)
    principal = ctx.require_principal()
    service.check_rating(rating, comment)
    course = await _own_enrolment_course(ctx, str(enrolment_id))
    async with ctx.write() as session:
        row = await service.submit_feedback(
            runtime_of(ctx.gateway), session, str(enrolment_id), principal.learner_id, course, rating, comment
        )
    return Enrolment.from_row(row)


async def declare_competency(
    info: Info, competency_id: strawberry.ID, evidence_url: str | None = None
) -> PassbookEntry:
    ctx = context_of(info)
    principal = ctx.require_principal()
    async with ctx.write() as session:
        await service.declare_competency(session, principal.learner_id, str(competency_id), evidence_url)
    entries = await entries_of(info, principal.learner_id, only=str(competency_id))
    if not entries:
        raise BadUserInput(f"No competency {competency_id}.")
    return entries[0]


async def assign_plan(info: Info, input: PlanInput) -> list[PlanItem]:
    return await assign_plan_items(info, input)


MUTATION_FIELDS = [
    strawberry.mutation(resolver=enrol),
    strawberry.mutation(resolver=record_progress, description="Idempotent; progress never goes down."),
    strawberry.mutation(resolver=submit_quiz),
    strawberry.mutation(resolver=submit_feedback),
    strawberry.mutation(resolver=declare_competency),
    strawberry.mutation(resolver=assign_plan),
]
