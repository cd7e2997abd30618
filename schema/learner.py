"""The learner: profile fields, roles and work experience (core-owned)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry
from strawberry import Info

from schema.common import Node
from schema.context import context_of
from schema.directory import Organisation, organisation_or_none
from schema.federation import entity_reference
from schema.reads import GRANTS_BY_LEARNER, LEARNERS_BY_ID, WORK_EXPERIENCE_BY_LEARNER, LearnerRecord


@strawberry.enum
class Role(enum.Enum):
    LEARNER = "LEARNER"
    MDO_ADMIN = "MDO_ADMIN"
    STATE_ADMIN = "STATE_ADMIN"
    CBP_ADMIN = "CBP_ADMIN"
    SPV_ADMIN = "SPV_ADMIN"


@strawberry.enum
class EmployeeGroup(enum.Enum):
    GROUP_A = "GROUP_A"
    GROUP_B = "GROUP_B"
    GROUP_C = "GROUP_C"
    GROUP_D = "GROUP_D"
    CONTRACTUAL = "CONTRACTUAL"
    OTHERS = "OTHERS"


@strawberry.type
class WorkExperience:
    designation: str
    from_: dt.date = strawberry.field(name="from")
    to: dt.date | None
    organisation_id: strawberry.Private[str | None]

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation | None:
        return await organisation_or_none(info, self.organisation_id)


def mask_mobile(mobile: str) -> str:
    """``9876543210`` -> ``******3210``: only the last four digits show."""
    digits = mobile.strip()
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


async def _authorise_entity(ctx: Any, row: LearnerRecord | None, learner_id: str) -> LearnerRecord | None:
    """A ``Learner`` representation: a principal is needed; an unknown id is
    null without an error; a known one needs the ``learner(id)`` rule."""
    ctx.require_principal()
    if row is None:
        return None
    return await ctx.authz.require_view_learner(row, learner_id)  # type: ignore[no-any-return]


@strawberry.federation.type(keys=["id"])
class Learner(Node):
    id: strawberry.ID
    name: str
    designation: str | None
    group: EmployeeGroup | None
    service: str | None
    cadre: str | None
    is_demo: bool = strawberry.field(description="True for demo accounts (development only).")
    row: strawberry.Private[LearnerRecord]

    # federation: _entities applies the same rule as node(id) and learner(id),
    # except that an unknown id is null without an error (the federation spec)
    resolve_reference = entity_reference(LEARNERS_BY_ID, authorise=_authorise_entity)

    @classmethod
    def from_row(cls, row: LearnerRecord) -> Learner:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            designation=row.designation,
            group=EmployeeGroup(row.group) if row.group else None,
            service=row.service,
            cadre=row.cadre,
            is_demo=row.demo,
            row=row,
        )

    @strawberry.field(
        description=("Visible to the learner and to admins of the learner's organisation; null to others.")
    )
    async def email(self, info: Info) -> str | None:
        if await context_of(info).authz.can_view_learner(self.row):
            return self.row.email
        return None

    @strawberry.field(description="Masked except for the learner: ******3210.")
    async def mobile(self, info: Info) -> str | None:
        if self.row.mobile is None:
            return None
        if await context_of(info).authz.is_self(self.row.id):
            return self.row.mobile
        return mask_mobile(self.row.mobile)

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation | None:
        return await organisation_or_none(info, self.row.organisation_id)

    @strawberry.field
    async def work_experience(self, info: Info) -> list[WorkExperience]:
        rows = await context_of(info).load(WORK_EXPERIENCE_BY_LEARNER, self.row.id)
        return [
            WorkExperience(
                designation=r.designation,
                from_=r.from_date,
                to=r.to_date,
                organisation_id=r.organisation_id,
            )
            for r in rows
        ]

    @strawberry.field
    async def roles(self, info: Info) -> list[Role]:
        grants = await context_of(info).load(GRANTS_BY_LEARNER, self.row.id)
        names = {"LEARNER"} | {g.role for g in grants}
        return [role for role in Role if role.value in names]

    @strawberry.field(description="False until organisation and designation are set.")
    def profile_complete(self) -> bool:
        return bool(self.row.organisation_id and (self.row.designation or "").strip())
