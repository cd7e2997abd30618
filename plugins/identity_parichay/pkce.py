"""PKCE (RFC 7636, S256) and the single-use sign-in state."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete

from gateway.db.types import utcnow
from plugins.identity_parichay.models import SignInStateRow

if TYPE_CHECKING:
    from gateway.host import Gateway


class StateError(Exception):
    """The callback's ``state`` is missing, unknown, used or expired."""


def new_verifier() -> str:
    """A 43-character code verifier (32 random bytes, base64url)."""
    return secrets.token_urlsafe(32)


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    code_verifier: str
    nonce: str | None

    @property
    def code_challenge(self) -> str:
        return s256_challenge(self.code_verifier)


async def begin(
    gateway: Gateway,
    mode: str,
    *,
    return_to: str,
    want_json: bool,
    with_nonce: bool,
    minutes: int,
) -> PendingSignIn:
    """Store a fresh state, verifier (and nonce) for one sign-in."""
    pending = PendingSignIn(
        state=secrets.token_urlsafe(32),
        code_verifier=new_verifier(),
        nonce=secrets.token_urlsafe(24) if with_nonce else None,
    )
    now = utcnow()
    async with gateway.db.write_sessionmaker() as session, session.begin():
        # Sweep abandoned sign-ins so the table stays small.
        await session.execute(delete(SignInStateRow).where(SignInStateRow.expires_at < now))
        session.add(
            SignInStateRow(
                state_hash=state_hash(pending.state),
                mode=mode,
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
                return_to=return_to,
                want_json=want_json,
                created_at=now,
                expires_at=now + dt.timedelta(minutes=minutes),
            )
        )
    return pending


async def consume(gateway: Gateway, mode: str, state: str | None) -> SignInStateRow:
    """Take the sign-in for ``state`` out of the store: it can be used once."""
    if not state or len(state) > 200:
        raise StateError("The sign-in response has no state; start signing in again.")
    async with gateway.db.write_sessionmaker() as session, session.begin():
        row = await session.get(SignInStateRow, state_hash(state), with_for_update=True)
        if row is None or row.mode != mode:
            raise StateError("This sign-in link was already used or is unknown; start signing in again.")
        await session.delete(row)
    if row.expires_at <= utcnow():
        raise StateError("This sign-in took too long and expired; start signing in again.")
    return row
