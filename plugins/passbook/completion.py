"""Completing an enrolment, in the caller's transaction (all or nothing).

In order: the enrolment turns COMPLETED (with the course's title and duration
as credited), one certificate is written and signed, evidence is added for
every competency the course is tagged with, and karma is credited. Plan items
for the course show DONE from then on, since their status is read from the
completion itself. The caller holds the enrolment's lock, so this runs at most
once per enrolment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from gateway.directory.models import LearnerRow, OrganisationRow
from plugins.passbook import signing
from plugins.passbook.models import (
    CertificateRow,
    EnrolmentRow,
    EvidenceRow,
    KarmaRow,
    LearnerLockRow,
    PlanItemRow,
)
from plugins.passbook.plans import ancestor_ids, effective_plan
from plugins.passbook.store import insert_for, ist_month_bounds, today_ist

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from plugins.passbook.courses import CourseView
    from plugins.passbook.settings import PassbookSettings

COMPLETION_POINTS = 5
PLAN_ON_TIME_POINTS = 5
RATING_POINTS = 2
FIRST_ENROLMENT_POINTS = 5


async def complete(
    session: AsyncSession,
    *,
    enrolment: EnrolmentRow,
    course: CourseView,
    signer: signing.Signer,
    settings: PassbookSettings,
    completed_at: dt.datetime,
    evidence_url: str | None = None,
) -> CertificateRow:
    learner = await session.get(LearnerRow, enrolment.learner_id)
    assert learner is not None, "enrolments belong to existing learners"
    enrolment.status = "COMPLETED"
    enrolment.progress_percent = 100
    enrolment.completed_at = completed_at
    enrolment.course_title = course.title
    enrolment.duration_minutes = course.duration_minutes
    certificate = issue_certificate(enrolment, learner.name, signer, completed_at)
    session.add(certificate)
    await session.flush()
    await add_evidence(session, enrolment, course, certificate, evidence_url)
    await credit_completion(session, enrolment, learner, settings, completed_at)
    return certificate


def issue_certificate(
    enrolment: EnrolmentRow, learner_name: str, signer: signing.Signer, issued_at: dt.datetime
) -> CertificateRow:
    certificate_id = str(uuid.uuid4())
    code = signing.new_access_code()
    issued_at = issued_at.replace(microsecond=0)
    payload = signing.signed_payload(
        certificate_id=certificate_id,
        access_code=code,
        learner_name=learner_name,
        course_id=enrolment.course_id,
        course_title=enrolment.course_title,
        issued_at=issued_at,
    )
    return CertificateRow(
        id=certificate_id,
        enrolment_id=enrolment.id,
        learner_id=enrolment.learner_id,
        course_id=enrolment.course_id,
        course_title=enrolment.course_title,
        learner_name=learner_name,
        access_code=code,
        issued_at=issued_at,
        key_id=signer.key_id,
        signature=signer.sign(payload),
    )


async def add_evidence(
    session: AsyncSession,
    enrolment: EnrolmentRow,
    course: CourseView,
    certificate: CertificateRow,
    evidence_url: str | None,
) -> None:
    channel = "EXTERNAL_COURSE" if course.external else "COURSE"
    for competency_id, level in course.competencies:
        session.add(
            EvidenceRow(
                learner_id=enrolment.learner_id,
                competency_id=competency_id,
                level=level,
                channel=channel,
                context_id=course.id,
                course_id=course.id,
                certificate_id=certificate.id,
                evidence_url=evidence_url,
                acquired_at=certificate.issued_at,
            )
        )
    await session.flush()


async def plan_due_date(session: AsyncSession, learner: LearnerRow, course_id: str) -> dt.date | None:
    """The earliest due date of the learner's plan items for ``course_id``."""
    path = None
    if learner.organisation_id:
        path = await session.scalar(
            select(OrganisationRow.path).where(OrganisationRow.id == learner.organisation_id)
        )
    orgs = ancestor_ids(path)
    items = (
        await session.scalars(
            select(PlanItemRow).where(
                PlanItemRow.course_id == course_id,
                (PlanItemRow.organisation_id.in_(orgs))
                | ((PlanItemRow.scope == "LEARNER") & (PlanItemRow.target == learner.id)),
            )
        )
    ).all()
    plan = effective_plan(items, learner.id, learner.designation, path)
    return plan[0].due_date if plan else None


async def lock_learner(session: AsyncSession, learner_id: str) -> None:
    """Serialise karma decisions of one learner (the monthly cap)."""
    await session.execute(
        insert_for(session, LearnerLockRow)
        .values(learner_id=learner_id, created_at=dt.datetime.now(dt.UTC))
        .on_conflict_do_nothing(index_elements=["learner_id"])
    )
    await session.execute(
        select(LearnerLockRow.learner_id).where(LearnerLockRow.learner_id == learner_id).with_for_update()
    )


async def credit_completion(
    session: AsyncSession,
    enrolment: EnrolmentRow,
    learner: LearnerRow,
    settings: PassbookSettings,
    completed_at: dt.datetime,
) -> None:
    """5 points for a completion; a plan course finished by its due date earns 5
    more; at most N rewarded non-plan completions per Asia/Kolkata month (a
    completion past the cap is written with 0 points, so the ledger says why)."""
    await lock_learner(session, learner.id)
    due = await plan_due_date(session, learner, enrolment.course_id)
    course_id = enrolment.course_id
    if due is not None:
        session.add(_karma(learner.id, "PLAN_COMPLETION", COMPLETION_POINTS, course_id, completed_at))
        if today_ist(completed_at) <= due:
            note = f"finished by the plan's due date {due.isoformat()}"
            session.add(
                _karma(learner.id, "PLAN_ON_TIME", PLAN_ON_TIME_POINTS, course_id, completed_at, note)
            )
    else:
        start, end = ist_month_bounds(completed_at)
        rewarded = await session.scalar(
            select(func.count())
            .select_from(KarmaRow)
            .where(
                KarmaRow.learner_id == learner.id,
                KarmaRow.kind == "COMPLETION",
                KarmaRow.points > 0,
                KarmaRow.awarded_at >= start,
                KarmaRow.awarded_at < end,
            )
        )
        cap = settings.max_rewarded_non_plan_completions_per_month
        if (rewarded or 0) < cap:
            session.add(_karma(learner.id, "COMPLETION", COMPLETION_POINTS, course_id, completed_at))
        else:
            note = f"no points: {cap} non-plan completions were already rewarded this month"
            session.add(_karma(learner.id, "COMPLETION", 0, course_id, completed_at, note))
    await session.flush()


def _karma(
    learner_id: str, kind: str, points: int, context_id: str, at: dt.datetime, note: str = ""
) -> KarmaRow:
    return KarmaRow(
        learner_id=learner_id, kind=kind, points=points, context_id=context_id, note=note, awarded_at=at
    )


async def credit_once(
    session: AsyncSession, learner_id: str, kind: str, points: int, context_id: str, note: str = ""
) -> None:
    """A reward that happens at most once per (learner, kind, context)."""
    await session.execute(
        insert_for(session, KarmaRow)
        .values(
            learner_id=learner_id,
            kind=kind,
            points=points,
            context_id=context_id,
            note=note,
            awarded_at=dt.datetime.now(dt.UTC),
        )
        .on_conflict_do_nothing(index_elements=["learner_id", "kind", "context_id"])
    )
