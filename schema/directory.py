"""Directory and competency types: organisations, requests, competencies."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import strawberry
from strawberry import Info

from schema.common import Node
from schema.context import MaybeAwaitable, awaited, context_of, then
from schema.federation import entity_reference
from schema.reads import CHILDREN_BY_PARENT, COMPETENCIES_BY_ID, LEARNERS_BY_ID, ORGANISATIONS_BY_ID

if TYPE_CHECKING:
    from collections.abc import Sequence

    from schema.reads import CompetencyRecord, OrganisationRecord, OrganisationRequestRecord


@strawberry.enum
class OrganisationType(enum.Enum):
    MINISTRY = "MINISTRY"
    STATE = "STATE"
    DEPARTMENT = "DEPARTMENT"
    BOARD = "BOARD"
    TRAINING_INSTITUTE = "TRAINING_INSTITUTE"
    OTHER = "OTHER"


@strawberry.enum
class OrganisationRequestStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@strawberry.enum(description="Karmayogi competency model: area > theme > sub-theme.")
class CompetencyArea(enum.Enum):
    BEHAVIOURAL = "BEHAVIOURAL"
    FUNCTIONAL = "FUNCTIONAL"
    DOMAIN = "DOMAIN"


@strawberry.enum(description="FRAC proficiency levels 1 to 5.")
class ProficiencyLevel(enum.Enum):
    BASIC = "BASIC"
    PROFICIENT = "PROFICIENT"
    ADVANCED = "ADVANCED"
    EXPERT = "EXPERT"
    USTAD = "USTAD"


@strawberry.federation.type(keys=["id"])
class Organisation(Node):
    id: strawberry.ID
    name: str
    type: OrganisationType
    is_content_provider: bool
    is_demo: bool = strawberry.field(description="True for demo data (development only).")
    parent_id: strawberry.Private[str | None]
    root_id: strawberry.Private[str]
    path: strawberry.Private[str]

    resolve_reference = entity_reference(ORGANISATIONS_BY_ID)  # federation: _entities

    @classmethod
    def from_row(cls, row: OrganisationRecord) -> Organisation:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            type=OrganisationType(row.type),
            is_content_provider=row.is_content_provider,
            is_demo=row.demo,
            parent_id=row.parent_id,
            root_id=row.root_id,
            path=row.path,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        if self.parent_id is None:
            return None
        row = await context_of(info).load(ORGANISATIONS_BY_ID, self.parent_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def children(self, info: Info) -> list[Organisation]:
        rows = await context_of(info).load(CHILDREN_BY_PARENT, str(self.id))
        return [Organisation.from_row(row) for row in rows]

    @strawberry.field(description="Top of the tree this organisation belongs to: a ministry or a state.")
    async def root(self, info: Info) -> Organisation:
        if self.root_id == self.id:
            return self
        row = await context_of(info).load(ORGANISATIONS_BY_ID, self.root_id)
        assert row is not None, "every organisation's root exists"
        return Organisation.from_row(row)


async def organisation_or_none(info: Info, org_id: str | None) -> Organisation | None:
    if org_id is None:
        return None
    row = await context_of(info).load(ORGANISATIONS_BY_ID, org_id)
    return Organisation.from_row(row) if row else None


@strawberry.type
class OrganisationRequest(Node):
    id: strawberry.ID
    name: str
    status: OrganisationRequestStatus
    reason: str | None
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    note: str | None = strawberry.field(description="What the requester wrote with the request.")
    parent_id: strawberry.Private[str | None]
    requested_by_id: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: OrganisationRequestRecord) -> OrganisationRequest:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            status=OrganisationRequestStatus(row.status),
            reason=row.reason,
            requested_at=row.requested_at,
            decided_at=row.decided_at,
            note=row.note,
            parent_id=row.parent_id,
            requested_by_id=row.requested_by,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        return await organisation_or_none(info, self.parent_id)

    @strawberry.field(description="Who asked: shown to them and to those who may decide the request.")
    async def requested_by(self, info: Info) -> OrganisationRequester | None:
        ctx = context_of(info)
        if self.requested_by_id is None or ctx.principal is None:
            return None
        if ctx.principal.learner_id != self.requested_by_id and not await ctx.authz.can_admin_org(
            self.parent_id
        ):
            return None
        row = await ctx.load(LEARNERS_BY_ID, self.requested_by_id)
        if row is None:
            return None
        return OrganisationRequester(id=strawberry.ID(row.id), name=row.name, email=row.email)


@strawberry.type(description="Who asked for an organisation.")
class OrganisationRequester:
    id: strawberry.ID
    name: str
    email: str | None


@strawberry.federation.type(keys=["id"])
class Competency(Node):
    id: strawberry.ID
    area: CompetencyArea
    theme: str
    sub_theme: str | None
    description: str | None

    resolve_reference = entity_reference(COMPETENCIES_BY_ID)  # federation: _entities

    @classmethod
    def from_row(cls, row: CompetencyRecord) -> Competency:
        return cls(
            id=strawberry.ID(row.id),
            area=CompetencyArea(row.area),
            theme=row.theme,
            sub_theme=row.sub_theme,
            description=row.description,
        )


@strawberry.type
class CompetencyRequirement:
    competency: Competency
    level: ProficiencyLevel | None


async def competency_requirements(
    info: Info, tags: list[tuple[str, str | None]]
) -> list[CompetencyRequirement]:
    """Requirements for ``(competency_id, level)`` tags, batched; tags naming a
    competency the directory does not know are left out."""
    return await awaited(competency_requirements_now(info, tags))


def competency_requirements_now(
    info: Info, tags: list[tuple[str, str | None]]
) -> MaybeAwaitable[list[CompetencyRequirement]]:
    """:func:`competency_requirements` at once when the request has read them."""
    rows = context_of(info).load_many_now(COMPETENCIES_BY_ID, [cid for cid, _ in tags])
    return then(rows, lambda found: _requirements(found, tags))


def _requirements(
    rows: Sequence[CompetencyRecord | None], tags: list[tuple[str, str | None]]
) -> list[CompetencyRequirement]:
    return [
        CompetencyRequirement(
            competency=Competency.from_row(row),
            level=ProficiencyLevel(level) if level else None,
        )
        for row, (_, level) in zip(rows, tags, strict=True)
        if row is not None
    ]
