"""The passbook's writes: enrol, progress, quizzes, feedback, declarations and
external completions. Each runs in one transaction holding the enrolment's
lock, so concurrent calls on one enrolment apply one after the other."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from gateway.authz import check_may_learn
from gateway.directory.models import CompetencyRow, LearnerRow
from plugins.passbook import completion, events, rules
from plugins.passbook.models import (
    EnrolmentRow,
    EvidenceRow,
    QuizAttemptRow,
    ResourceProgressRow,
)
from plugins.passbook.store import insert_for, lock_enrolment
from schema.errors import BadUserInput, Forbidden, NotFound

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from plugins.passbook.courses import CourseView, LeafView
    from plugins.passbook.runtime import PassbookRuntime


def require_active(learner: LearnerRow | None) -> LearnerRow:
    """The kernel's one rule (``gateway.authz.check_may_learn``), applied to
    the row read in the write transaction."""
    check_may_learn(learner)
    assert learner is not None
    return learner


async def ensure_enrolment(session: AsyncSession, learner_id: str, course: CourseView) -> EnrolmentRow:
    """The learner's enrolment in ``course``, created if missing (same one twice)."""
    now = dt.datetime.now(dt.UTC)
    result = await session.execute(
        insert_for(session, EnrolmentRow)
        .values(
            id=f"enrolment:{uuid.uuid4().hex}",
            learner_id=learner_id,
            course_id=course.id,
            provider_id=course.provider_id,
            external=course.external,
            status="NOT_STARTED",
            progress_percent=0,
            enrolled_at=now,
            course_title=course.title,
            duration_minutes=0,
        )
        .on_conflict_do_nothing(index_elements=["learner_id", "course_id"])
        .returning(EnrolmentRow.id)
    )
    created = result.scalar_one_or_none() is not None
    row = await session.scalar(
        select(EnrolmentRow)
        .where(EnrolmentRow.learner_id == learner_id, EnrolmentRow.course_id == course.id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    if created:
        await completion.credit_once(
            session,
            learner_id,
            "FIRST_ENROLMENT",
            completion.FIRST_ENROLMENT_POINTS,
            "first-enrolment",
            note=f"first enrolment: {course.title}",
        )
    return row


async def enrol(
    runtime: PassbookRuntime, session: AsyncSession, learner_id: str, course: CourseView
) -> EnrolmentRow:
    require_active(await session.get(LearnerRow, learner_id))
    row = await ensure_enrolment(session, learner_id, course)
    events.touch(session, row)  # enrolmentUpdated subscribers hear of it after commit
    return row


async def own_enrolment(session: AsyncSession, enrolment_id: str, learner_id: str) -> EnrolmentRow:
    row = await session.get(EnrolmentRow, enrolment_id)
    if row is None:
        raise NotFound(f"No enrolment {enrolment_id}.")
    if row.learner_id != learner_id:
        raise Forbidden("This enrolment belongs to another learner.")
    return row


async def load_state(session: AsyncSession, enrolment: EnrolmentRow) -> rules.EnrolmentState:
    percents = (
        await session.execute(
            select(ResourceProgressRow.resource_id, ResourceProgressRow.percent).where(
                ResourceProgressRow.enrolment_id == enrolment.id
            )
        )
    ).all()
    attempts = (
        await session.execute(
            select(QuizAttemptRow.resource_id, QuizAttemptRow.passed)
            .where(QuizAttemptRow.enrolment_id == enrolment.id)
            .order_by(QuizAttemptRow.attempt)
        )
    ).all()
    return rules.state_from(
        [(r, p) for r, p in percents],
        [(r, p) for r, p in attempts],
        enrolment.feedback_rating is not None,
    )


async def settle(
    runtime: PassbookRuntime,
    session: AsyncSession,
    enrolment: EnrolmentRow,
    course: CourseView,
) -> None:
    """Recompute status and progress; complete the enrolment if it is now done."""
    if enrolment.status == "COMPLETED":
        return
    state = await load_state(session, enrolment)
    enrolment.progress_percent = max(enrolment.progress_percent, rules.progress_percent(course, state))
    if rules.is_complete(course, state):
        await completion.complete(
            session,
            enrolment=enrolment,
            course=course,
            signer=runtime.signer,
            settings=runtime.settings,
            completed_at=dt.datetime.now(dt.UTC),
        )
    else:
        enrolment.status = rules.status_of(course, state, completed=False)
    await session.flush()


def viewed_leaf(course: CourseView, resource_id: str) -> LeafView:
    leaf = course.leaf(resource_id)
    if leaf is None:
        raise BadUserInput(f"The course {course.id} has no resource {resource_id}.")
    if leaf.kind == "QUIZ":
        raise BadUserInput(f"{leaf.title!r} is a quiz: submit answers with submitQuiz.")
    if leaf.kind == "SURVEY":
        raise BadUserInput(f"{leaf.title!r} is a feedback survey: answer it with submitFeedback.")
    return leaf


def check_percent(percent: int) -> None:
    if not 0 <= percent <= 100:
        raise BadUserInput(f"percent must be between 0 and 100, got {percent}.")


async def record_progress(
    runtime: PassbookRuntime,
    session: AsyncSession,
    enrolment_id: str,
    learner_id: str,
    course: CourseView,
    leaf: LeafView,
    percent: int,
) -> EnrolmentRow:
    await own_enrolment(session, enrolment_id, learner_id)
    enrolment = await lock_enrolment(session, enrolment_id)
    assert enrolment is not None
    row = await session.scalar(
        select(ResourceProgressRow).where(
            ResourceProgressRow.enrolment_id == enrolment_id,
            ResourceProgressRow.resource_id == leaf.id,
        )
    )
    now = dt.datetime.now(dt.UTC)
    if row is None:
        session.add(
            ResourceProgressRow(
                enrolment_id=enrolment_id,
                resource_id=leaf.id,
                percent=percent,
                completed=rules.percent_completes(leaf.kind, percent),
                updated_at=now,
            )
        )
    elif percent > row.percent:  # progress never goes down; a repeat changes nothing
        row.percent = percent
        row.completed = rules.percent_completes(leaf.kind, percent)
        row.updated_at = now
    await session.flush()
    await settle(runtime, session, enrolment, course)
    return enrolment


def quiz_leaf(course: CourseView, resource_id: str) -> LeafView:
    leaf = course.leaf(resource_id)
    if leaf is None or leaf.kind != "QUIZ" or leaf.quiz is None:
        raise BadUserInput(f"The course {course.id} has no quiz resource {resource_id}.")
    return leaf


def check_answers(leaf: LeafView, answers: Sequence[tuple[str, Sequence[int]]]) -> dict[str, list[int]]:
    """The answers as ``{question id: sorted option indexes}``, or BAD_USER_INPUT."""
    assert leaf.quiz is not None
    checked: dict[str, list[int]] = {}
    for question_id, selected in answers:
        shape = leaf.quiz.questions.get(question_id)
        if shape is None:
            raise BadUserInput(f"The quiz {leaf.title!r} has no question {question_id}.")
        if question_id in checked:
            raise BadUserInput(f"Question {question_id} is answered twice.")
        options, multiple = shape
        bad = [i for i in selected if not 0 <= i < options]
        if bad:
            raise BadUserInput(
                f"Question {question_id} has options 0 to {options - 1}; {bad[0]} is not one of them."
            )
        if len(set(selected)) != len(selected):
            raise BadUserInput(f"Question {question_id} selects the same option twice.")
        if not multiple and len(selected) > 1:
            raise BadUserInput(f"Question {question_id} takes one answer.")
        checked[question_id] = sorted(selected)
    return checked


async def attempts_used(session: AsyncSession, enrolment_id: str, resource_id: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(QuizAttemptRow)
        .where(QuizAttemptRow.enrolment_id == enrolment_id, QuizAttemptRow.resource_id == resource_id)
    )
    return int(count or 0)


def check_attempts_left(leaf: LeafView, used: int) -> None:
    assert leaf.quiz is not None
    if leaf.quiz.max_attempts is not None and used >= leaf.quiz.max_attempts:
        raise BadUserInput(f"You have used all {leaf.quiz.max_attempts} attempts at the quiz {leaf.title!r}.")


async def submit_quiz(
    runtime: PassbookRuntime,
    session: AsyncSession,
    enrolment_id: str,
    learner_id: str,
    course: CourseView,
    leaf: LeafView,
    score_percent: int,
    passed: bool,
) -> QuizAttemptRow:
    """Store a graded attempt (graded by the provider before the transaction)."""
    assert leaf.quiz is not None
    await own_enrolment(session, enrolment_id, learner_id)
    enrolment = await lock_enrolment(session, enrolment_id)
    assert enrolment is not None
    used = await attempts_used(session, enrolment_id, leaf.id)
    check_attempts_left(leaf, used)  # again, under the lock
    attempt = QuizAttemptRow(
        enrolment_id=enrolment_id,
        resource_id=leaf.id,
        quiz_id=leaf.quiz.id,
        attempt=used + 1,
        score_percent=score_percent,
        passed=passed,
        submitted_at=dt.datetime.now(dt.UTC),
    )
    session.add(attempt)
    await session.flush()
    await settle(runtime, session, enrolment, course)
    return attempt


async def submit_feedback(
    runtime: PassbookRuntime,
    session: AsyncSession,
    enrolment_id: str,
    learner_id: str,
    course: CourseView,
    rating: int,
    comment: str | None,
) -> EnrolmentRow:
    await own_enrolment(session, enrolment_id, learner_id)
    enrolment = await lock_enrolment(session, enrolment_id)
    assert enrolment is not None
    enrolment.feedback_rating = rating
    enrolment.feedback_comment = comment
    enrolment.feedback_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await completion.credit_once(
        session,
        learner_id,
        "RATING",
        completion.RATING_POINTS,
        course.id,
        note=f"rated {course.title}",
    )
    await settle(runtime, session, enrolment, course)
    return enrolment


def check_rating(rating: int, comment: str | None) -> None:
    if not 1 <= rating <= 5:
        raise BadUserInput(f"rating must be 1 to 5, got {rating}.")
    if comment is not None and len(comment) > 4000:
        raise BadUserInput("comment is limited to 4,000 characters.")


async def declare_competency(
    session: AsyncSession, learner_id: str, competency_id: str, evidence_url: str | None
) -> EvidenceRow:
    if await session.get(CompetencyRow, competency_id) is None:
        raise NotFound(f"No competency {competency_id}.")
    if evidence_url is not None and not evidence_url.startswith(("https://", "http://")):
        raise BadUserInput("evidenceUrl must be an http(s) link.")
    context = evidence_url or "self-declared"
    await session.execute(
        insert_for(session, EvidenceRow)
        .values(
            learner_id=learner_id,
            competency_id=competency_id,
            channel="SELF_DECLARED",
            context_id=context[:300],
            evidence_url=evidence_url,
            acquired_at=dt.datetime.now(dt.UTC),
        )
        .on_conflict_do_nothing(index_elements=["learner_id", "competency_id", "channel", "context_id"])
    )
    row = await session.scalar(
        select(EvidenceRow).where(
            EvidenceRow.learner_id == learner_id,
            EvidenceRow.competency_id == competency_id,
            EvidenceRow.channel == "SELF_DECLARED",
            EvidenceRow.context_id == context[:300],
        )
    )
    assert row is not None
    return row
