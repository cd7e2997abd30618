"""Mobile-number conflicts: sign-ins refused because their verified mobile
number belongs to another learner. Admins see the open ones and resolve them:
release the number (the holder's is cleared, so the person refused can sign
in again and get it) or keep it with the holder.

Who: an SPV admin sees and resolves every conflict; an MDO or state admin
those whose holder is in their organisation's subtree.
"""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import or_, select
from strawberry import Info

from gateway.context import context_of
from gateway.db.types import utcnow
from gateway.directory.loaders import learners_by_id
from gateway.directory.models import LearnerRow, MobileConflictRow, OrganisationRow
from schema.errors import BadUserInput, Conflict, Forbidden, NotFound
from schema.learner import Learner

MAX_CONFLICTS = 100


@strawberry.type(description="A sign-in refused because its mobile number belongs to another learner.")
class MobileConflict:
    id: strawberry.ID
    mobile: str = strawberry.field(description="Masked: the last four digits.")
    claimant_email: str | None
    claimant_name: str | None
    source: str
    created_at: dt.datetime
    resolution: str | None
    holder_id: strawberry.Private[str]

    @strawberry.field(description="The learner who holds the number.")
    async def holder(self, info: Info) -> Learner | None:
        ctx = context_of(info)
        row = await ctx.load(learners_by_id, self.holder_id)
        return Learner.from_row(row) if row is not None else None

    @classmethod
    def from_row(cls, row: MobileConflictRow) -> MobileConflict:
        return cls(
            id=strawberry.ID(row.id),
            mobile="******" + row.mobile[-4:],
            claimant_email=row.claimant_email,
            claimant_name=row.claimant_name,
            source=row.source,
            created_at=row.created_at,
            resolution=row.resolution,
            holder_id=row.holder_id,
        )


async def mobile_conflicts(info: Info, first: int = 20) -> list[MobileConflict]:
    """Admins: open mobile-number conflicts they may resolve, oldest first."""
    ctx = context_of(info)
    ctx.require_principal()
    if not 0 <= first <= MAX_CONFLICTS:
        raise BadUserInput(f"first must be between 0 and {MAX_CONFLICTS}.", field="first")
    query = select(MobileConflictRow).where(MobileConflictRow.resolution.is_(None))
    if not await ctx.authz.is_spv():
        paths = await ctx.authz.admin_paths()
        if not paths:
            raise Forbidden("Only admins see mobile-number conflicts.")
        query = (
            query.join(LearnerRow, LearnerRow.id == MobileConflictRow.holder_id)
            .join(OrganisationRow, OrganisationRow.id == LearnerRow.organisation_id)
            .where(or_(*(OrganisationRow.path.startswith(path) for path in paths)))
        )
    async with ctx.db() as session:
        rows = (
            await session.scalars(
                query.order_by(MobileConflictRow.created_at, MobileConflictRow.id).limit(first)
            )
        ).all()
    return [MobileConflict.from_row(row) for row in rows]


async def resolve_mobile_conflict(info: Info, id: strawberry.ID, release_mobile: bool) -> MobileConflict:
    """Admins of the holder's organisation (or SPV): ``releaseMobile: true``
    clears the holder's number (the person refused may then sign in with it);
    ``false`` keeps it with the holder. Either way the conflict is closed."""
    ctx = context_of(info)
    principal = ctx.require_principal()
    async with ctx.db() as session:
        found = await session.get(MobileConflictRow, str(id))
        holder = await session.get(LearnerRow, found.holder_id) if found is not None else None
    if found is None:
        raise NotFound(f"No mobile conflict {id}.")
    await ctx.authz.require_org_admin(holder.organisation_id if holder else None, "resolve this conflict")
    async with ctx.write() as session:
        row = await session.get(MobileConflictRow, str(id), with_for_update=True)
        assert row is not None
        if row.resolution is not None:
            raise Conflict(f"Mobile conflict {id} is already resolved ({row.resolution}).")
        if release_mobile:
            learner = await session.get(LearnerRow, row.holder_id, with_for_update=True)
            if learner is not None and learner.mobile == row.mobile:
                learner.mobile = None
                learner.updated_at = utcnow()
        row.resolution = "RELEASED" if release_mobile else "KEPT"
        row.resolved_by, row.resolved_at = principal.learner_id, utcnow()
        await session.flush()
        return MobileConflict.from_row(row)
