"""The Competency Passbook: entries per competency with their evidence,
learning hours, karma points and certificates."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, cast

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
from schema.context import MaybeAwaitable, awaited, then
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
    return await awaited(entries_now(info, learner_id, only))


def entries_now(info: Info, learner_id: str, only: str | None = None) -> MaybeAwaitable[list[PassbookEntry]]:
    """The learner's passbook entries: at once when the request has read the
    evidence and its competencies (the passbook's prefetch), else awaitable."""
    ctx = context_of(info)

    def grouped_of(rows: list[Any]) -> MaybeAwaitable[list[PassbookEntry]]:
        grouped: dict[str, list[EvidenceLike]] = {}
        for row in rows:
            if only is None or row.competency_id == only:
                grouped.setdefault(row.competency_id, []).append(row)
        return then(
            ctx.load_many_now(competencies_by_id, list(grouped)), lambda found: _entries(grouped, found)
        )

    evidence: MaybeAwaitable[Any] = ctx.load_now(evidence_by_learner, learner_id)
    return cast("MaybeAwaitable[list[PassbookEntry]]", then(evidence, grouped_of))


def _entries(grouped: dict[str, list[EvidenceLike]], competencies: list[Any]) -> list[PassbookEntry]:
    entries = []
    for evidence, comp in zip(grouped.values(), competencies, strict=True):
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
    entries.sort(key=lambda e: (e.competency.area.value, e.competency.theme, e.competency.sub_theme or ""))
    return entries


@strawberry.type
class Passbook:
    learner_id: strawberry.Private[str]

    @strawberry.field(graphql_type=list[PassbookEntry])
    def entries(self, info: Info, area: CompetencyArea | None = None) -> MaybeAwaitable[list[PassbookEntry]]:
        return then(
            entries_now(info, self.learner_id),
            lambda entries: [e for e in entries if area is None or e.competency.area == area],
        )

    @strawberry.field(
        graphql_type=float,
        description="Sum of durations of courses completed in the calendar year (all years if null).",
    )
    def learning_hours(self, info: Info, year: int | None = None) -> MaybeAwaitable[float]:
        def hours(rows: list[Any]) -> float:
            minutes = sum(
                r.duration_minutes
                for r in rows
                if r.status == "COMPLETED"
                and r.completed_at is not None
                and (year is None or r.completed_at.astimezone(IST).year == year)
            )
            return round(float(minutes) / 60, 2)

        return then(context_of(info).load_now(enrolments_by_learner, self.learner_id), hours)

    @strawberry.field(graphql_type=int)
    def karma_points(self, info: Info) -> MaybeAwaitable[int]:
        return cast("MaybeAwaitable[int]", context_of(info).load_now(karma_by_learner, self.learner_id))

    @strawberry.field
    async def certificates(self, info: Info) -> list[Certificate]:
        rows = await context_of(info).load(certificates_by_learner, self.learner_id)
        return [Certificate.from_row(r) for r in rows]
