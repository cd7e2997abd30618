"""Plans, recommendations and the organisation report."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from strawberry import Info

from gateway.context import context_of
from gateway.directory.loaders import competencies_by_id, organisations_by_id
from plugins.passbook import links, reports
from plugins.passbook.api.enrolments import course_of_now
from plugins.passbook.runtime import runtime_of
from schema.content import Course
from schema.context import MaybeAwaitable, then
from schema.directory import Competency, Organisation
from schema.reads import OrganisationRecord


@strawberry.enum
class PlanItemStatus(enum.Enum):
    UPCOMING = "UPCOMING"
    OVERDUE = "OVERDUE"
    DONE = "DONE"


@strawberry.enum
class PlanAssignment(enum.Enum):
    ALL_LEARNERS = "ALL_LEARNERS"
    DESIGNATION = "DESIGNATION"
    LEARNERS = "LEARNERS"


@strawberry.input
class PlanInput:
    organisation_id: strawberry.ID
    course_ids: list[strawberry.ID]
    assignment: PlanAssignment
    designation: str | None = None
    learner_ids: list[strawberry.ID] | None = None
    due_date: dt.date


def _organisation(row: OrganisationRecord | None) -> Organisation:
    assert row is not None, "plan items name existing organisations"
    return Organisation.from_row(row)


@strawberry.type
class PlanItem:
    due_date: dt.date
    status: PlanItemStatus
    course_id: strawberry.Private[str]
    organisation_id: strawberry.Private[str]

    @strawberry.field(graphql_type=Course)
    def course(self, info: Info) -> MaybeAwaitable[Course]:
        return course_of_now(info, self.course_id)

    @strawberry.field(graphql_type=Organisation)
    def assigned_by(self, info: Info) -> MaybeAwaitable[Organisation]:
        return then(context_of(info).load_now(organisations_by_id, self.organisation_id), _organisation)


@strawberry.type
class Recommendation:
    reason: str = strawberry.field(
        description="Which of the learner's gaps this course closes, in plain words."
    )
    score: float
    course_id: strawberry.Private[str]
    gap_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(graphql_type=Course)
    def course(self, info: Info) -> MaybeAwaitable[Course]:
        return course_of_now(info, self.course_id)

    @strawberry.field(graphql_type=list[Competency])
    def gaps(self, info: Info) -> MaybeAwaitable[list[Competency]]:
        rows = context_of(info).load_many_now(competencies_by_id, list(self.gap_ids))
        return then(rows, lambda found: [Competency.from_row(r) for r in found if r is not None])


@strawberry.type
class OrganisationReport:
    row: strawberry.Private[OrganisationRecord]
    admin_id: strawberry.Private[str]
    cache: strawberry.Private[dict[int | None, list[reports.LearnerFigures]]]

    async def _figures(self, info: Info, year: int | None) -> list[reports.LearnerFigures]:
        if year not in self.cache:
            async with context_of(info).db() as session:
                self.cache[year] = await reports.subtree_figures(session, self.row, year)
        return self.cache[year]

    @strawberry.field
    def organisation(self) -> Organisation:
        return Organisation.from_row(self.row)

    @strawberry.field
    async def learners(self, info: Info) -> int:
        return len(await self._figures(info, None))

    @strawberry.field(
        description="Share (0..1) of assigned plan items completed across the organisation's subtree."
    )
    async def plan_completion(self, info: Info) -> float:
        figures = await self._figures(info, None)
        assigned = sum(f.plan_assigned for f in figures)
        return round(sum(f.plan_done for f in figures) / assigned, 4) if assigned else 0.0

    @strawberry.field
    async def learning_hours(self, info: Info, year: int | None = None) -> float:
        figures = await self._figures(info, year)
        return round(sum(f.learning_minutes for f in figures) / 60, 2)

    @strawberry.field(
        description="CSV with one row per learner: plan items done/assigned, hours, certificates."
    )
    def csv_url(self, info: Info) -> str:
        ctx = context_of(info)
        gateway = ctx.gateway
        runtime = runtime_of(gateway)
        request = ctx.request
        served = f"{request.url.scheme}://{request.url.netloc}" if request is not None else None
        return links.report_link(
            gateway.settings.link_base(served),
            gateway.settings.secret_key.get_secret_value(),
            self.row.id,
            self.admin_id,
            runtime.settings.report_link_ttl_seconds,
        )
