"""Granting and revoking admin roles, and deciding pending learners.

Callers check who may do it (``gateway.authz``); these functions check what
is being done.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow, OrganisationRow, RoleGrantRow
from schema.errors import BadUserInput, Conflict, NotFound
from schema.reads import OrganisationRecord

GRANTABLE = ("MDO_ADMIN", "STATE_ADMIN", "CBP_ADMIN", "SPV_ADMIN")


async def find_learner(session: AsyncSession, who: str) -> LearnerRow:
    """A learner by id (``learner:...``) or by email, any case."""
    condition = (
        LearnerRow.id == who
        if who.startswith("learner:")
        else func.lower(LearnerRow.email) == who.strip().lower()
    )
    learner = await session.scalar(select(LearnerRow).where(condition))
    if learner is None:
        raise NotFound(f"No learner {who}.", field="learner")
    return learner


async def check_grant(session: AsyncSession, role: str, organisation_id: str | None) -> None:
    if role not in GRANTABLE:
        raise BadUserInput(
            f"Role {role} cannot be granted; choose one of {', '.join(GRANTABLE)} "
            "(every learner has LEARNER).",
            field="role",
        )
    if role == "SPV_ADMIN":
        if organisation_id is not None:
            raise BadUserInput("SPV_ADMIN covers everything; give no organisation.", field="role")
        return
    if organisation_id is None:
        raise BadUserInput(f"{role} needs an organisation.", field="organisationId")
    org = await session.get(OrganisationRow, organisation_id)
    if org is None:
        raise NotFound(f"No organisation {organisation_id}.", field="organisationId")
    if role == "STATE_ADMIN" and org.type != "STATE":
        raise BadUserInput(
            f"STATE_ADMIN is granted on a state; {org.name} is not one.", field="organisationId"
        )
    if role == "CBP_ADMIN" and not org.is_content_provider:
        raise BadUserInput(
            f"CBP_ADMIN is granted on a content provider; {org.name} is not one.",
            field="organisationId",
        )


async def grant_role(
    session: AsyncSession,
    learner: LearnerRow,
    role: str,
    organisation_id: str | None,
    granted_by: str,
) -> bool:
    """Grant ``role``; ``False`` if the learner already had it (nothing changes)."""
    await check_grant(session, role, organisation_id)
    key = organisation_id or ""
    existing = await session.scalar(
        select(RoleGrantRow.id).where(
            RoleGrantRow.learner_id == learner.id,
            RoleGrantRow.role == role,
            RoleGrantRow.organisation_key == key,
        )
    )
    if existing is not None:
        return False
    session.add(
        RoleGrantRow(
            learner_id=learner.id,
            role=role,
            organisation_id=organisation_id,
            organisation_key=key,
            granted_at=utcnow(),
            granted_by=granted_by,
        )
    )
    await session.flush()
    return True


async def revoke_role(
    session: AsyncSession, learner: LearnerRow, role: str, organisation_id: str | None
) -> bool:
    result = await session.execute(
        delete(RoleGrantRow).where(
            RoleGrantRow.learner_id == learner.id,
            RoleGrantRow.role == role,
            RoleGrantRow.organisation_key == (organisation_id or ""),
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def decide_learner(session: AsyncSession, learner: LearnerRow, approve: bool) -> LearnerRow:
    """PENDING -> ACTIVE (approve) or DISABLED (reject)."""
    if learner.status != "PENDING":
        raise Conflict(f"This learner is {learner.status.lower()}, not pending approval.")
    learner.status = "ACTIVE" if approve else "DISABLED"
    learner.updated_at = utcnow()
    await session.flush()
    return learner


async def pending_learners(
    session: AsyncSession, organisation: OrganisationRecord | None, limit: int
) -> list[LearnerRow]:
    """Pending learners in ``organisation``'s subtree (all of them for ``None``)."""
    query = select(LearnerRow).where(LearnerRow.status == "PENDING")
    if organisation is not None:
        query = query.join(OrganisationRow, OrganisationRow.id == LearnerRow.organisation_id).where(
            OrganisationRow.path.startswith(organisation.path, autoescape=True)
        )
    query = query.order_by(LearnerRow.created_at, LearnerRow.id).limit(limit)
    return list((await session.scalars(query)).all())
