"""Authorisation, in one place: who may see or change what.

Scopes: a learner sees their own record; an MDO admin the learners and
organisations of their organisation's subtree; a state admin the state's tree;
an SPV admin everything. Admin grants carry an organisation; the subtree is
found through the organisation's materialised path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from gateway.directory.loaders import grants_by_learner, learners_by_id, organisations_by_id
from schema.errors import Forbidden, NotFound, Unauthenticated

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from schema.reads import LearnerRecord, RoleGrantRecord

SCOPED_ADMIN_ROLES = ("MDO_ADMIN", "STATE_ADMIN")
L = TypeVar("L", bound="LearnerRecord")
ROLES = ("LEARNER", "MDO_ADMIN", "STATE_ADMIN", "CBP_ADMIN", "SPV_ADMIN")


class Authz:
    """The signed-in principal's grants for one request, loaded once."""

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx
        self._grants: Sequence[RoleGrantRecord] | None = None

    async def grants(self) -> Sequence[RoleGrantRecord]:
        if self._grants is None:
            principal = self.ctx.principal
            self._grants = (
                [] if principal is None else await self.ctx.load(grants_by_learner, principal.learner_id)
            )
        return self._grants

    async def roles(self) -> set[str]:
        return {grant.role for grant in await self.grants()}

    async def is_spv(self) -> bool:
        return "SPV_ADMIN" in await self.roles()

    async def admin_paths(self) -> list[str]:
        """Materialised paths of the organisations this principal administers."""
        org_ids = [
            g.organisation_id
            for g in await self.grants()
            if g.role in SCOPED_ADMIN_ROLES and g.organisation_id is not None
        ]
        orgs = await self.ctx.load_many(organisations_by_id, org_ids)
        return [org.path for org in orgs if org is not None]

    async def can_admin_org(self, org_id: str | None) -> bool:
        if self.ctx.principal is None:
            return False
        if await self.is_spv():
            return True
        if org_id is None:
            return False
        org = await self.ctx.load(organisations_by_id, org_id)
        if org is None:
            return False
        return any(org.path.startswith(path) for path in await self.admin_paths())

    async def require_org_admin(self, org_id: str | None, action: str) -> None:
        self.ctx.require_principal()
        if not await self.can_admin_org(org_id):
            where = f"organisation {org_id}" if org_id else "the top of the tree"
            raise Forbidden(f"Only an admin of {where} (or above it) may {action}.")

    async def can_view_learner(self, learner: LearnerRecord) -> bool:
        principal = self.ctx.principal
        if principal is None:
            return False
        if principal.learner_id == learner.id:
            return True
        return await self.can_admin_org(learner.organisation_id)

    async def require_view_learner(self, learner: L | None, learner_id: str) -> L:
        self.ctx.require_principal()
        if learner is None:
            if await self.roles() & {"MDO_ADMIN", "STATE_ADMIN", "SPV_ADMIN"}:
                raise NotFound(f"No learner {learner_id}.")
            # Do not reveal to non-admins whether an id exists.
            raise Forbidden("You may only see your own record or learners you administer.")
        if not await self.can_view_learner(learner):
            raise Forbidden("You may only see your own record or learners you administer.")
        return learner

    async def is_self(self, learner_id: str) -> bool:
        return self.ctx.principal is not None and self.ctx.principal.learner_id == learner_id

    async def require_spv(self, action: str) -> None:
        self.ctx.require_principal()
        if not await self.is_spv():
            raise Forbidden(f"Only an SPV admin may {action}.")

    async def require_decide_learner(self, learner: L | None, learner_id: str) -> L:
        """Approving or rejecting a pending learner: an admin of the learner's
        organisation (or above it); SPV admins for learners with none yet."""
        learner = await self.require_view_learner(learner, learner_id)
        if self.ctx.principal is not None and self.ctx.principal.learner_id == learner.id:
            raise Forbidden("You cannot approve your own account.")
        await self.require_org_admin(learner.organisation_id, "approve or reject this learner")
        return learner

    async def current_learner(self) -> LearnerRecord:
        principal = self.ctx.require_principal()
        learner = await self.ctx.load(learners_by_id, principal.learner_id)
        if learner is None:
            raise Unauthenticated("Your learner record no longer exists; sign in again.")
        return learner


def check_may_learn(learner: LearnerRecord | None) -> None:
    """The one rule for learning records (enrolling, progress, ...): only an
    ACTIVE learner. Pending learners (an approved, not pre-approved, email
    domain) may browse and edit their profile, but need an admin of their
    organisation to approve them first. Refusals carry ``extensions.reason``
    (``PENDING_APPROVAL``, ``DISABLED``)."""
    if learner is None:
        raise Forbidden("Sign in with a learner account to enrol.", reason="NO_LEARNER")
    if learner.status == "PENDING":
        raise Forbidden(
            "Your account is awaiting approval by an admin of your organisation; you can enrol "
            "once it is approved. Meanwhile you can browse courses and complete your profile.",
            reason="PENDING_APPROVAL",
        )
    if learner.status != "ACTIVE":
        raise Forbidden(
            "Your account is disabled; ask your organisation's admin for help.", reason="DISABLED"
        )


async def require_active_learner(ctx: RequestContext) -> LearnerRecord:
    """The signed-in learner, if :func:`check_may_learn` lets them learn."""
    learner = await ctx.authz.current_learner()
    check_may_learn(learner)
    return learner
