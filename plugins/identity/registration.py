"""Who may register, and linking a sign-in to one learner (never two).

Identity plugins hand the core what the identity provider vouched for (an
email, a verified mobile, a name); the core finds the learner or creates one
under the registration policy.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow, MobileConflictRow
from schema.identity import SignInRefused, VerifiedIdentity, normalise_email

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.host import Gateway
    from plugins.identity.settings import RegistrationSettings


def _covers(domain: str, allowed: list[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in allowed)


def status_for_email(email: str, policy: RegistrationSettings) -> str:
    """``ACTIVE`` (pre-approved domain), ``PENDING`` (approved) or refusal."""
    domain = email.rsplit("@", 1)[1]
    if _covers(domain, policy.pre_approved_domains):
        return "ACTIVE"
    if _covers(domain, policy.approved_domains):
        return "PENDING"
    raise SignInRefused(
        f"Accounts with an email address at {domain} cannot register on iGOT Karmayogi. "
        f"Sign in with your official (gov.in or nic.in) address, or {policy.help_contact}."
    )


def _refuse_disabled(learner: LearnerRow, policy: RegistrationSettings) -> LearnerRow:
    if learner.status == "DISABLED":
        raise SignInRefused(f"This account is disabled. To have it restored, {policy.help_contact}.")
    return learner


def _new_learner(identity: VerifiedIdentity, status: str, organisation_id: str | None) -> LearnerRow:
    now = utcnow()
    return LearnerRow(
        id=f"learner:{uuid.uuid4().hex}",
        name=identity.name,
        email=identity.email,
        mobile=identity.mobile,
        organisation_id=organisation_id,
        status=status,
        demo=False,
        created_at=now,
        updated_at=now,
    )


async def _by_mobile(session: AsyncSession, mobile: str) -> list[LearnerRow]:
    return list((await session.scalars(select(LearnerRow).where(LearnerRow.mobile == mobile))).all())


class MobileTaken(SignInRefused):
    """A sign-in whose verified mobile number belongs to another learner."""

    def __init__(self, message: str, holder: LearnerRow, identity: VerifiedIdentity) -> None:
        super().__init__(message, status=409)
        self.holder_id = holder.id
        self.identity = identity


def _mobile_taken(
    holder: LearnerRow, identity: VerifiedIdentity, policy: RegistrationSettings
) -> MobileTaken:
    """The refusal when ``identity``'s mobile belongs to ``holder``: says what to do."""
    hint = ""
    if holder.email:
        local, _, domain = holder.email.partition("@")
        hint = f" ({local[:1]}***@{domain})"
    return MobileTaken(
        f"Your mobile number ******{(identity.mobile or '')[-4:]} already belongs to another iGOT "
        f"Karmayogi account{hint}. If that account is yours, sign in with it. If it is not, "
        f"{policy.help_contact}: an admin can see this conflict and release the number, and then "
        "you can sign in again.",
        holder,
        identity,
    )


async def link_by_email(
    session: AsyncSession, identity: VerifiedIdentity, policy: RegistrationSettings
) -> LearnerRow:
    """Find the learner with this email (any case); else the one learner with
    this verified mobile and no email yet (a Jan Parichay account), adding the
    email; else create one under the domain policy."""
    email = normalise_email(identity.email)
    if email is None:
        raise SignInRefused(
            "Your identity provider did not share an email address, which iGOT Karmayogi "
            f"needs to find your account. Update your Parichay profile, or {policy.help_contact}.",
            status=400,
        )
    found = await session.scalar(select(LearnerRow).where(func.lower(LearnerRow.email) == email))
    if found is not None:
        _refuse_disabled(found, policy)
        if found.mobile is None and identity.mobile and not await _by_mobile(session, identity.mobile):
            found.mobile = identity.mobile  # only a number no other learner holds
        return found
    status = status_for_email(email, policy)
    if identity.mobile:
        holders = await _by_mobile(session, identity.mobile)
        if holders and holders[0].email is None:
            # A Jan Parichay learner (mobile only): the same person, now with an email.
            learner = _refuse_disabled(holders[0], policy)
            learner.email = email
            learner.updated_at = utcnow()
            return learner
        if holders:
            # Another learner, with another email, holds this number: never two.
            raise _mobile_taken(holders[0], identity, policy)
    learner = _new_learner(
        VerifiedIdentity(
            source=identity.source,
            email=email,
            mobile=identity.mobile,
            first_name=identity.first_name,
            last_name=identity.last_name,
        ),
        status,
        None,
    )
    session.add(learner)
    return learner


async def link_by_mobile(
    session: AsyncSession,
    identity: VerifiedIdentity,
    policy: RegistrationSettings,
    organisation_id: str | None,
) -> LearnerRow:
    """The learner with this verified mobile, or a new active one in
    ``organisation_id`` (the caller checked that an admin onboarded it)."""
    assert identity.mobile is not None
    matches = await _by_mobile(session, identity.mobile)
    if len(matches) > 1:
        raise SignInRefused(
            "More than one account uses this mobile number; ask your department's nodal "
            "officer to correct them."
        )
    if matches:
        return _refuse_disabled(matches[0], policy)
    learner = _new_learner(identity, "ACTIVE", organisation_id)
    session.add(learner)
    return learner


async def sign_in_learner(
    gateway: Gateway,
    identity: VerifiedIdentity,
    *,
    by_mobile_organisation: str | None = None,
) -> LearnerRow:
    """Find or create the learner for ``identity`` in one transaction.

    With an email, links by email (see :func:`link_by_email`); with only a
    mobile (``by_mobile_organisation`` set by the identity plugin after its
    onboarding check), links by mobile. A concurrent first sign-in of the same
    person is retried once, so it ends as one learner.
    """
    from plugins.identity.runtime import identity_settings

    policy = identity_settings(gateway).registration
    for attempt in range(2):
        try:
            async with gateway.db.write_sessionmaker() as session, session.begin():
                if identity.email is not None or by_mobile_organisation is None:
                    learner = await link_by_email(session, identity, policy)
                else:
                    learner = await link_by_mobile(session, identity, policy, by_mobile_organisation)
                await session.flush()
            return learner
        except IntegrityError:
            # A concurrent sign-in took the email or the mobile number (unique
            # indexes): once more, and this time it is found.
            if attempt:
                raise
        except MobileTaken as refused:
            await _record_conflict(gateway, refused)
            raise
    raise AssertionError("unreachable")


async def _record_conflict(gateway: Gateway, refused: MobileTaken) -> None:
    """Keep a refused conflicting sign-in for admins (one open record per
    number and claimant)."""
    identity = refused.identity
    email = normalise_email(identity.email)
    async with gateway.db.write_sessionmaker() as session, session.begin():
        open_one = await session.scalar(
            select(MobileConflictRow.id).where(
                MobileConflictRow.mobile == identity.mobile,
                MobileConflictRow.claimant_email == email,
                MobileConflictRow.resolution.is_(None),
            )
        )
        if open_one is None:
            session.add(
                MobileConflictRow(
                    id=f"mobconf:{uuid.uuid4().hex}",
                    mobile=identity.mobile,
                    holder_id=refused.holder_id,
                    claimant_email=email,
                    claimant_name=identity.name,
                    source=identity.source,
                    created_at=utcnow(),
                )
            )
