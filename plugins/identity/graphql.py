"""Root fields of the identity plugin: roles and pending learners."""

from __future__ import annotations

import enum
from typing import cast

import strawberry
from strawberry import Info
from strawberry.types.field import StrawberryField

from gateway.context import context_of
from gateway.directory.loaders import learners_by_id, organisations_by_id
from plugins.identity import roles as role_service
from plugins.identity.conflicts import mobile_conflicts, resolve_mobile_conflict
from schema.errors import NotFound
from schema.learner import Learner, Role

MAX_PENDING = 200


@strawberry.enum(description="ACTIVE, PENDING approval by an organisation admin, or DISABLED.")
class LearnerStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"
    DISABLED = "DISABLED"


def status(root: Learner) -> LearnerStatus:
    return LearnerStatus(root.row.status)


async def grant_role(
    info: Info,
    learner_id: strawberry.ID,
    role: Role,
    organisation_id: strawberry.ID | None = None,
) -> Learner:
    """SPV admins only: give a learner an admin role (idempotent)."""
    ctx = context_of(info)
    await ctx.authz.require_spv("grant roles")
    principal = ctx.require_principal()
    async with ctx.write() as session:
        learner = await role_service.find_learner(session, str(learner_id))
        await role_service.grant_role(
            session,
            learner,
            role.value,
            str(organisation_id) if organisation_id else None,
            principal.learner_id,
        )
    return Learner.from_row(learner)


async def revoke_role(
    info: Info,
    learner_id: strawberry.ID,
    role: Role,
    organisation_id: strawberry.ID | None = None,
) -> Learner:
    """SPV admins only: take an admin role away."""
    ctx = context_of(info)
    await ctx.authz.require_spv("revoke roles")
    async with ctx.write() as session:
        learner = await role_service.find_learner(session, str(learner_id))
        await role_service.revoke_role(
            session, learner, role.value, str(organisation_id) if organisation_id else None
        )
    return Learner.from_row(learner)


async def decide_learner(info: Info, id: strawberry.ID, approve: bool) -> Learner:
    """Approve (ACTIVE) or reject (DISABLED) a learner pending approval.
    Admins of the learner's organisation or above it."""
    from plugins.identity.runtime import session_service

    ctx = context_of(info)
    row = await ctx.load(learners_by_id, str(id))
    await ctx.authz.require_decide_learner(row, str(id))
    async with ctx.write() as session:
        learner = await role_service.find_learner(session, str(id))
        learner = await role_service.decide_learner(session, learner, approve)
    if not approve:
        await session_service(ctx.gateway).revoke_all(learner.id, "learner-rejected")
    return Learner.from_row(learner)


async def pending_learners(info: Info, organisation_id: strawberry.ID | None = None) -> list[Learner]:
    """Learners awaiting approval in an organisation's subtree (all, for SPV admins)."""
    ctx = context_of(info)
    org = None
    if organisation_id is not None:
        org = await ctx.load(organisations_by_id, str(organisation_id))
        if org is None:
            raise NotFound(f"No organisation {organisation_id}.", field="organisationId")
    await ctx.authz.require_org_admin(org.id if org else None, "see pending learners")
    async with ctx.db() as session:
        rows = await role_service.pending_learners(session, org, MAX_PENDING)
    return [Learner.from_row(row) for row in rows]


QUERY_FIELDS = [strawberry.field(resolver=pending_learners), strawberry.field(resolver=mobile_conflicts)]
MUTATION_FIELDS = [
    strawberry.mutation(resolver=grant_role),
    strawberry.mutation(resolver=revoke_role),
    strawberry.mutation(resolver=decide_learner),
    strawberry.mutation(resolver=resolve_mobile_conflict),
]
LEARNER_FIELDS: list[StrawberryField] = [
    cast(
        "StrawberryField",
        strawberry.field(resolver=status, description="ACTIVE, PENDING or DISABLED."),
    )
]
