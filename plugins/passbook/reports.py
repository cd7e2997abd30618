"""Per-learner figures over an organisation's subtree, for ``organisationReport``,
its CSV and the APAR export: learning hours, plan items done/assigned,
certificates."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from gateway.directory.models import LearnerRow, OrganisationRow
from plugins.passbook.models import CertificateRow, EnrolmentRow, PlanItemRow
from plugins.passbook.plans import ancestor_ids, effective_plan
from plugins.passbook.store import IST
from schema.reads import OrganisationRecord

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class LearnerFigures:
    learner_id: str
    name: str
    email: str | None
    designation: str | None
    organisation_id: str | None
    learning_minutes: int = 0
    plan_done: int = 0
    plan_assigned: int = 0
    certificates: list[tuple[str, str, str]] = field(default_factory=list)  # id, course, issued (IST)

    @property
    def learning_hours(self) -> float:
        return round(self.learning_minutes / 60, 2)


async def subtree_figures(
    session: AsyncSession, organisation: OrganisationRecord, year: int | None
) -> list[LearnerFigures]:
    """One entry per learner of the subtree, ordered by name. ``year`` narrows
    hours and certificates to that Asia/Kolkata calendar year and plan items to
    those due in it."""
    in_subtree = OrganisationRow.path.startswith(organisation.path)
    learners = (
        await session.execute(
            select(LearnerRow, OrganisationRow.path)
            .join(OrganisationRow, LearnerRow.organisation_id == OrganisationRow.id)
            .where(in_subtree)
            .order_by(LearnerRow.name, LearnerRow.id)
        )
    ).all()
    subtree_learners = (
        select(LearnerRow.id)
        .join(OrganisationRow, LearnerRow.organisation_id == OrganisationRow.id)
        .where(in_subtree)
    )
    completed = (
        await session.execute(
            select(
                EnrolmentRow.learner_id,
                EnrolmentRow.course_id,
                EnrolmentRow.duration_minutes,
                EnrolmentRow.completed_at,
            ).where(EnrolmentRow.status == "COMPLETED", EnrolmentRow.learner_id.in_(subtree_learners))
        )
    ).all()
    certificates = (
        await session.execute(
            select(
                CertificateRow.learner_id,
                CertificateRow.id,
                CertificateRow.course_title,
                CertificateRow.issued_at,
            )
            .where(CertificateRow.learner_id.in_(subtree_learners))
            .order_by(CertificateRow.issued_at)
        )
    ).all()
    orgs_above = ancestor_ids(organisation.path)
    subtree_orgs = select(OrganisationRow.id).where(in_subtree)
    plan_rows = (
        await session.scalars(
            select(PlanItemRow).where(
                PlanItemRow.organisation_id.in_(orgs_above)
                | PlanItemRow.organisation_id.in_(subtree_orgs)
                | ((PlanItemRow.scope == "LEARNER") & PlanItemRow.target.in_(subtree_learners))
            )
        )
    ).all()
    done_courses: dict[str, set[str]] = defaultdict(set)
    minutes: dict[str, int] = defaultdict(int)
    for learner_id, course_id, duration, completed_at in completed:
        done_courses[learner_id].add(course_id)
        if year is None or (completed_at is not None and completed_at.astimezone(IST).year == year):
            minutes[learner_id] += duration
    certs: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for learner_id, cert_id, title, issued_at in certificates:
        local = issued_at.astimezone(IST)
        if year is None or local.year == year:
            certs[learner_id].append((cert_id, title, local.isoformat()))
    figures = []
    for learner, path in learners:
        plan = [
            p
            for p in effective_plan(plan_rows, learner.id, learner.designation, path)
            if year is None or p.due_date.year == year
        ]
        figures.append(
            LearnerFigures(
                learner_id=learner.id,
                name=learner.name,
                email=learner.email,
                designation=learner.designation,
                organisation_id=learner.organisation_id,
                learning_minutes=minutes[learner.id],
                plan_done=sum(1 for p in plan if p.course_id in done_courses[learner.id]),
                plan_assigned=len(plan),
                certificates=certs[learner.id],
            )
        )
    return figures


CSV_COLUMNS = [
    "learner_id",
    "name",
    "designation",
    "organisation_id",
    "learning_hours",
    "plan_items_done",
    "plan_items_assigned",
    "certificates",
]


def csv_lines(figures: list[LearnerFigures]) -> Iterator[str]:
    """The CSV, one line at a time (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for f in figures:
        writer.writerow(
            [
                f.learner_id,
                _safe(f.name),
                _safe(f.designation or ""),
                f.organisation_id or "",
                f"{f.learning_hours:.2f}",
                f.plan_done,
                f.plan_assigned,
                len(f.certificates),
            ]
        )
        yield flush()


def _safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def as_json(
    figures: list[LearnerFigures], organisation: OrganisationRecord, year: int | None
) -> dict[str, object]:
    return {
        "organisation": {"id": organisation.id, "name": organisation.name},
        "year": year,
        "learners": [
            {
                "learnerId": f.learner_id,
                "name": f.name,
                "designation": f.designation,
                "organisationId": f.organisation_id,
                "learningHours": f.learning_hours,
                "planItemsDone": f.plan_done,
                "planItemsAssigned": f.plan_assigned,
                "certificates": [
                    {"id": cid, "courseTitle": title, "issuedAt": issued}
                    for cid, title, issued in f.certificates
                ],
            }
            for f in figures
        ],
    }
