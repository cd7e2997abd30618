"""Demo learning records, so every demo learner's dashboard shows the product.

Loaded with the rest of the demo data (development, empty database): for each
demo learner except one newcomer, enrolments in every state (not started, in
progress, completed with a signed certificate), passbook entries through each
evidence channel, karma, and plan items their organisation's admin assigned
(one of them overdue). Dates are relative to the day the demo is loaded, so an
overdue item is overdue whenever the demo is tried. The records belong to demo
learners only (``isDemo: true``).

``plugins.passbook.demo_learning_records = false`` leaves them out (the test
suite does, so its tests start from empty records).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from plugins.passbook.completion import issue_certificate
from plugins.passbook.models import (
    EnrolmentRow,
    EvidenceRow,
    KarmaRow,
    LearnerLockRow,
    PlanItemRow,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from plugins.passbook.runtime import PassbookRuntime

# The learner who has done nothing yet (an empty dashboard, on purpose).
NEWCOMER = "tenzin"

# ISTM demo courses used here: id -> (title, minutes, [(competency, level)]).
COURSES: dict[str, tuple[str, int, list[tuple[str, str]]]] = {
    "istm:office-procedure": (
        "Central Secretariat Manual of Office Procedure",
        150,
        [
            ("comp:functional-office-procedure-file-management", "PROFICIENT"),
            ("comp:functional-office-procedure-noting-and-drafting", "BASIC"),
        ],
    ),
    "istm:rti-act": (
        "Right to Information Act for Public Information Officers",
        308,
        [
            ("comp:functional-right-to-information-rti-replies", "PROFICIENT"),
            ("comp:functional-right-to-information-first-appeals", "BASIC"),
        ],
    ),
    "istm:cyber-hygiene": (
        "Cyber Hygiene for Government Offices",
        308,
        [("comp:domain-digital-governance-cyber-security", "BASIC")],
    ),
    "istm:public-procurement": (
        "Public Procurement and GeM",
        150,
        [("comp:functional-procurement-gem-buying", "BASIC")],
    ),
    "istm:e-office": ("Working Paperless on e-Office", 150, []),
    "istm:leave-rules": ("CCS (Leave) Rules", 103, []),
    "istm:data-privacy": ("Data Privacy and the DPDP Act", 315, []),
}
COMPLETED = ["istm:office-procedure", "istm:rti-act", "istm:cyber-hygiene"]

# Who assigns plans: the organisation's admin where the demo has one, else the SPV admin.
ADMINS = {
    "org:dopt": "learner:demo-vikram",
    "org:haryana": "learner:demo-manoj",
    "org:karnataka": "learner:demo-ravi",
}

OTHER_CHANNELS = [
    ("SELF_DECLARED", "comp:behavioural-communication-written-communication", "BASIC", "self-declared"),
    ("EVENT", "comp:behavioural-integrity-ethical-conduct", "BASIC", "event:karmayogi-saptah-2026"),
    (
        "EXTERNAL_COURSE",
        "comp:domain-digital-governance-data-privacy",
        "BASIC",
        "external:swayam-data-protection",
    ),
    (
        "EXTERNAL_TRAINING",
        "comp:behavioural-collaboration-inter-departmental-coordination",
        "PROFICIENT",
        "training:istm-workshop-coordination",
    ),
]


def _admin_for(org_path: list[str]) -> str:
    for org in org_path:
        if org in ADMINS:
            return ADMINS[org]
    return "learner:demo-admin"


async def load_learning_records(
    session: AsyncSession, runtime: PassbookRuntime, learners: list[tuple[str, str, str | None, list[str]]]
) -> None:
    """``learners``: (id, name, organisation id, the organisation's path up to its root)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = now.date()
    for index, (learner_id, name, organisation, path) in enumerate(learners):
        if learner_id == f"learner:demo-{NEWCOMER}":
            continue
        shift = index % 3  # vary who did what, deterministically
        done = COMPLETED[: 1 + (index % len(COMPLETED))]
        in_progress = ["istm:public-procurement"]
        not_started = ["istm:e-office"] if shift != 1 else ["istm:leave-rules"]
        session.add(LearnerLockRow(learner_id=learner_id, created_at=now))
        for number, course_id in enumerate(done + in_progress + not_started):
            title, minutes, competencies = COURSES[course_id]
            enrolled = now - dt.timedelta(days=60 - number * 7)
            enrolment = EnrolmentRow(
                id=f"enrolment:{uuid.uuid4().hex}",
                learner_id=learner_id,
                course_id=course_id,
                provider_id="istm",
                external=False,
                status="NOT_STARTED",
                progress_percent=0,
                enrolled_at=enrolled,
                course_title=title,
                duration_minutes=0,
            )
            session.add(enrolment)
            if course_id in in_progress:
                enrolment.status, enrolment.progress_percent = "IN_PROGRESS", 40 + 15 * shift
            if course_id not in done:
                continue
            completed_at = enrolled + dt.timedelta(days=10)
            enrolment.status, enrolment.progress_percent = "COMPLETED", 100
            enrolment.completed_at, enrolment.duration_minutes = completed_at, minutes
            certificate = issue_certificate(enrolment, name, runtime.signer, completed_at)
            await session.flush()  # the enrolment first: certificates refer to it
            session.add(certificate)
            for competency, level in competencies:
                session.add(
                    EvidenceRow(
                        learner_id=learner_id,
                        competency_id=competency,
                        level=level,
                        channel="COURSE",
                        context_id=course_id,
                        course_id=course_id,
                        certificate_id=certificate.id,
                        acquired_at=completed_at,
                    )
                )
            session.add(_karma(learner_id, "COMPLETION", 5, course_id, completed_at, f"completed {title}"))
        session.add(_karma(learner_id, "FIRST_ENROLMENT", 5, "first-enrolment", now - dt.timedelta(days=60)))
        for channel, competency, level, context in OTHER_CHANNELS[shift : shift + 2]:
            session.add(
                EvidenceRow(
                    learner_id=learner_id,
                    competency_id=competency,
                    level=level,
                    channel=channel,
                    context_id=context,
                    acquired_at=now - dt.timedelta(days=20),
                )
            )
        if organisation is None:
            continue
        admin = _admin_for(path)
        # Overdue (not finished, due last week), and due next month.
        for course_id, due in (
            (in_progress[0], today - dt.timedelta(days=7)),
            ("istm:data-privacy", today + dt.timedelta(days=30)),
        ):
            session.add(
                PlanItemRow(
                    organisation_id=organisation,
                    course_id=course_id,
                    scope="LEARNER",
                    target=learner_id,
                    due_date=due,
                    assigned_by=admin,
                    assigned_at=now - dt.timedelta(days=45),
                )
            )
    await session.flush()


def _karma(
    learner_id: str, kind: str, points: int, context: str, at: dt.datetime, note: str = ""
) -> KarmaRow:
    return KarmaRow(
        learner_id=learner_id, kind=kind, points=points, context_id=context, note=note, awarded_at=at
    )
