"""The Competency Passbook: entries per competency with their evidence,
learning hours, karma points and certificates."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from strawberry import Info

from gateway.catalogue.loaders import courses_by_id
from gateway.context import context_of
from gateway.directory.loaders import competencies_by_id
from plugins.passbook.api.certificates import Certificate
from plugins.passbook.loaders import (
    certificate_by_id_now,
    certificates_by_learner,
    enrolments_by_learner,
    evidence_by_learner,
    karma_by_learner,
)
from plugins.passbook.rows import EvidenceLike
from plugins.passbook.store import IST
from schema.content import Course
from schema.context import MaybeAwaitable, then
from schema.directory import Competency, CompetencyArea, ProficiencyLevel

LEVEL_ORDER = ["BASIC", "PROFICIENT", "ADVANCED", "EXPERT", "USTAD"]


@strawberry.enum
class AcquiredChannel(enum.Enum):
    COURSE = "COURSE"
    SELF_DECLARED = "SELF_DECLARED"
    EVENT = "EVENT"
    EXTERNAL_COURSE = "EXTERNAL_COURSE"
    EXTERNAL_TRAINING = "EXTERNAL_TRAINING"


@strawberry.type
class Evidence:
    channel: AcquiredChannel
    context_id: strawberry.ID = strawberry.field(
        description="The course, event or training that gave the competency."
    )
    acquired_at: dt.datetime
    evidence_url: str | None = strawberry.field(
        description="A link the learner or the provider gave as proof (declarations, external certificates)."
    )
    row: strawberry.Private[EvidenceLike]

    @classmethod
    def from_row(cls, row: EvidenceLike) -> Evidence:
        return cls(
            channel=AcquiredChannel(row.channel),
            context_id=strawberry.ID(row.context_id),
            acquired_at=row.acquired_at,
            evidence_url=row.evidence_url,
            row=row,
        )

    @strawberry.field(graphql_type=Course | None)
    def course(self, info: Info) -> MaybeAwaitable[Course | None]:
        if self.row.course_id is None:
            return None
        return then(context_of(info).load_now(courses_by_id, self.row.course_id), Course.maybe)

    @strawberry.field(graphql_type=Certificate | None)
    def certificate(self, info: Info) -> MaybeAwaitable[Certificate | None]:
        if self.row.certificate_id is None:
            return None
        row = certificate_by_id_now(context_of(info), self.row.learner_id, self.row.certificate_id)
        return then(row, Certificate.maybe)


@strawberry.type
class PassbookEntry:
    competency: Competency
    level: ProficiencyLevel | None
    evidence: list[Evidence]
    last_acquired_at: dt.datetime


def _highest_level(rows: list[EvidenceLike]) -> ProficiencyLevel | None:
    levels = [r.level for r in rows if r.level in LEVEL_ORDER]
    if not levels:
        return None
    return ProficiencyLevel(max(levels, key=LEVEL_ORDER.index))


async def entries_of(info: Info, learner_id: str, only: str | None = None) -> list[PassbookEntry]:
    ctx = context_of(info)
    rows = await ctx.load(evidence_by_learner, learner_id)
    grouped: dict[str, list[EvidenceLike]] = {}
    for row in rows:
        if only is None or row.competency_id == only:
            grouped.setdefault(row.competency_id, []).append(row)
    competencies = await ctx.load_many(competencies_by_id, list(grouped))
    entries = []
    for (competency_id, evidence), comp in zip(grouped.items(), competencies, strict=True):
        if comp is None:
            continue  # a competency the directory no longer lists
        entries.append(
            PassbookEntry(
                competency=Competency.from_row(comp),
                level=_highest_level(evidence),
                evidence=[Evidence.from_row(r) for r in evidence],
                last_acquired_at=max(r.acquired_at for r in evidence),
            )
        )
        del competency_id
    entries.sort(key=lambda e: (e.competency.area.value, e.competency.theme, e.competency.sub_theme or ""))
    return entries


@strawberry.type
class Passbook:
    learner_id: strawberry.Private[str]

    @strawberry.field
    async def entries(self, info: Info, area: CompetencyArea | None = None) -> list[PassbookEntry]:
        entries = await entries_of(info, self.learner_id)
        return [e for e in entries if area is None or e.competency.area == area]

    @strawberry.field(
        description="Sum of durations of courses completed in the calendar year (all years if null)."
    )
    async def learning_hours(self, info: Info, year: int | None = None) -> float:
        rows = await context_of(info).load(enrolments_by_learner, self.learner_id)
        minutes = sum(
            r.duration_minutes
            for r in rows
            if r.status == "COMPLETED"
            and r.completed_at is not None
            and (year is None or r.completed_at.astimezone(IST).year == year)
        )
        return round(minutes / 60, 2)

    @strawberry.field
    async def karma_points(self, info: Info) -> int:
        return await context_of(info).load(karma_by_learner, self.learner_id)

    @strawberry.field
    async def certificates(self, info: Info) -> list[Certificate]:
        rows = await context_of(info).load(certificates_by_learner, self.learner_id)
        return [Certificate.from_row(r) for r in rows]
