"""Gateway sessions: start, refresh (rotating the refresh token), revoke, check.

Sessions and revocations are stored in the database, which every worker
shares: the database is the record. A session is accepted only when it exists,
is not revoked and has not expired (an allow-list, never "not known to be
revoked").

With ``redis_url``, Redis only speeds the check up; it never decides on its own
that a revocation is absent:

* a session the database found live is marked live in Redis for
  ``live_cache_seconds`` (5 s): within that time other checks take Redis' word;
* a sign-out writes the database first, then (before answering) deletes the
  live mark and writes a revocation mark that outlives every access token;
* a check reads both marks at once: a revocation mark refuses, a live mark
  (without a revocation mark) accepts, anything else asks the database.

So Redis restarted empty, flushed or replaced sends every check to the
database; restarted from a dump or unreachable during the sign-out, it can
hold a live mark for at most ``live_cache_seconds`` after it was written. That
is the longest a revoked token can still be accepted, and only under a Redis
fault; otherwise a sign-out holds on every worker once it is answered.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import or_, select, update

from gateway.credentials import unverified_issuer
from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow
from plugins.identity import tokens
from plugins.identity.models import SessionRow
from schema.errors import Unauthenticated

if TYPE_CHECKING:
    from gateway.host import Gateway
    from gateway.security.redis_link import RedisLink
    from plugins.identity.keys import KeyRing
    from plugins.identity.settings import IdentitySettings

log = logging.getLogger("plugins.identity")
LIVE = "session-live:"
REVOKED = "session-revoked:"


@dataclass(frozen=True)
class IssuedSession:
    """What a client receives after sign-in or refresh."""

    session_id: str
    learner_id: str
    access_token: str
    access_expires_at: dt.datetime
    refresh_token: str
    refresh_expires_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "tokenType": "Bearer",
            "accessToken": self.access_token,
            "expiresAt": self.access_expires_at.isoformat(),
            "refreshToken": self.refresh_token,
            "refreshExpiresAt": self.refresh_expires_at.isoformat(),
            "learnerId": self.learner_id,
        }


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class SessionService:
    """One per gateway; ``gateway.state[SESSIONS]`` (``plugins.identity.runtime``)."""

    def __init__(self, gateway: Gateway, settings: IdentitySettings, ring: KeyRing) -> None:
        self.gateway = gateway
        self.settings = settings
        self.ring = ring
        self.issuer = gateway.settings.public_url.rstrip("/")
        self.link: RedisLink | None = None
        self.prefix = gateway.settings.redis_prefix
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"karmayogi upstream tokens", info=b"").derive(
            gateway.settings.secret_key.get_secret_value().encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(seed))

    async def connect(self) -> None:
        from gateway.security.services import redis_link

        self.link = redis_link(self.gateway)  # the worker's shared, bounded pool

    async def close(self) -> None:
        self.link = None  # the kernel closes the shared pool

    @property
    def redis(self) -> Any:
        return self.link.client if self.link is not None else None

    # -- issuing ------------------------------------------------------------

    def _access(self, learner_id: str, session_id: str, source: str) -> tuple[str, dt.datetime]:
        return tokens.issue(
            self.ring,
            issuer=self.issuer,
            learner_id=learner_id,
            session_id=session_id,
            source=source,
            now=utcnow(),
        )

    async def start(self, learner_id: str, source: str, upstream_token: str | None = None) -> IssuedSession:
        """Create a session for an active or pending learner."""
        now = utcnow()
        session_id = "sess_" + secrets.token_urlsafe(18)
        refresh = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(days=self.settings.refresh_token_days)
        row = SessionRow(
            id=session_id,
            learner_id=learner_id,
            source=source,
            created_at=now,
            expires_at=expires,
            refresh_hash=_hash(refresh),
            upstream_token=self._fernet.encrypt(upstream_token.encode()).decode() if upstream_token else None,
        )
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            session.add(row)
        await self._mark_live(session_id)
        access, access_expires = self._access(learner_id, session_id, source)
        log.info("session started", extra={"session": session_id, "source": source})
        return IssuedSession(session_id, learner_id, access, access_expires, refresh, expires)

    async def refresh(self, refresh_token: str) -> IssuedSession:
        """Swap a refresh token for a new pair. A refresh token used twice
        revokes its session (it was copied)."""
        digest = _hash(refresh_token)
        now = utcnow()
        new_refresh = secrets.token_urlsafe(32)
        refused: str | None = None
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            row = await session.scalar(
                select(SessionRow)
                .where(
                    or_(
                        SessionRow.refresh_hash == digest,
                        SessionRow.previous_refresh_hash == digest,
                    )
                )
                .with_for_update()
            )
            if row is None:
                raise Unauthenticated("Unknown refresh token; sign in again.")
            if row.revoked_at is not None or row.expires_at <= now:
                raise Unauthenticated("This session has ended; sign in again.")
            status = await session.scalar(select(LearnerRow.status).where(LearnerRow.id == row.learner_id))
            if row.refresh_hash != digest:
                refused = "This refresh token was already used; sign in again."
                row.revoked_at, row.revoked_reason = now, "refresh-token-reuse"
            elif status is None or status == "DISABLED":
                refused = "This account is disabled."
                row.revoked_at, row.revoked_reason = now, "learner-disabled"
            else:
                row.previous_refresh_hash = row.refresh_hash
                row.refresh_hash = _hash(new_refresh)
                row.refreshed_at = now
            learner_id, session_id, source, expires = (
                row.learner_id,
                row.id,
                row.source,
                row.expires_at,
            )
        if refused is not None:
            await self._publish_revocation(session_id)
            raise Unauthenticated(refused)
        access, access_expires = self._access(learner_id, session_id, source)
        return IssuedSession(session_id, learner_id, access, access_expires, new_refresh, expires)

    # -- revoking -----------------------------------------------------------

    async def revoke(self, session_id: str, reason: str = "logout") -> SessionRow | None:
        """End a session at once, for every worker. Returns the row (or None)."""
        now = utcnow()
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            row = await session.get(SessionRow, session_id, with_for_update=True)
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at, row.revoked_reason = now, reason
        await self._publish_revocation(session_id)
        log.info("session revoked", extra={"session": session_id, "reason": reason})
        return row

    async def revoke_all(self, learner_id: str, reason: str) -> int:
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            ids = list(
                (
                    await session.scalars(
                        select(SessionRow.id).where(
                            SessionRow.learner_id == learner_id, SessionRow.revoked_at.is_(None)
                        )
                    )
                ).all()
            )
            if ids:
                await session.execute(
                    update(SessionRow)
                    .where(SessionRow.id.in_(ids))
                    .values(revoked_at=utcnow(), revoked_reason=reason)
                )
        for session_id in ids:
            await self._publish_revocation(session_id)
        return len(ids)

    async def _publish_revocation(self, session_id: str) -> None:
        """Tell Redis, before the sign-out is answered: drop the live mark and
        leave a revocation mark outliving every access token. If Redis cannot
        be told, the database still refuses the session, and a live mark left
        behind expires within ``live_cache_seconds``."""
        if self.link is None:
            return
        ttl = int(self.ring.token_lifetime.total_seconds()) + self.settings.leeway_seconds + 60
        try:
            pipe = self.link.client.pipeline(transaction=True)
            pipe.set(self.prefix + REVOKED + session_id, "1", ex=ttl)
            pipe.delete(self.prefix + LIVE + session_id)
            await pipe.execute()
        except Exception as exc:  # the database holds the revocation
            self.link.failed("session", exc)
            log.warning(
                "could not write a revocation to Redis; the database refuses the session, "
                "and a live mark Redis may hold expires within %d s",
                self.settings.live_cache_seconds,
            )
        else:
            self.link.succeeded()

    async def _mark_live(self, session_id: str) -> None:
        if self.link is None or self.settings.live_cache_seconds == 0:
            return
        try:
            await self.link.client.set(
                self.prefix + LIVE + session_id, "1", ex=self.settings.live_cache_seconds
            )
        except Exception as exc:  # the next check asks the database
            self.link.failed("session", exc)
        else:
            self.link.succeeded()

    def upstream_token(self, row: SessionRow) -> str | None:
        if row.upstream_token is None:
            return None
        try:
            return self._fernet.decrypt(row.upstream_token.encode()).decode()
        except InvalidToken:  # secret_key changed since; nothing to revoke upstream
            return None

    # -- checking -----------------------------------------------------------

    async def is_live(self, session_id: str) -> bool:
        """Whether the session exists, is not revoked and has not expired."""
        redis_answered = False
        if self.link is not None and not self.link.resting():
            try:
                live, revoked = await self.link.client.mget(
                    self.prefix + LIVE + session_id, self.prefix + REVOKED + session_id
                )
            except Exception as exc:  # counted, logged once per outage; ask the database
                self.link.failed("session", exc)
            else:
                self.link.succeeded()
                if revoked is not None:
                    return False
                if live is not None:
                    return True
                redis_answered = True
        async with self.gateway.db.sessionmaker() as session:
            found = (
                await session.execute(
                    select(SessionRow.revoked_at, SessionRow.expires_at).where(SessionRow.id == session_id)
                )
            ).first()
        live_now = found is not None and found[0] is None and found[1] > utcnow()
        if live_now and redis_answered:
            # A sign-out between the read above and this write leaves its
            # revocation mark, which the check reads first.
            await self._mark_live(session_id)
        return live_now

    async def is_revoked(self, session_id: str) -> bool:
        return not await self.is_live(session_id)

    async def verify(self, token: str) -> tokens.SessionClaims:
        """Verify a session token and that its session is still open."""
        try:
            claims = tokens.verify(
                self.ring,
                token,
                issuer=self.issuer,
                leeway=self.settings.leeway_seconds,
                now=utcnow(),
            )
        except tokens.InvalidToken as exc:
            raise Unauthenticated(str(exc)) from exc
        if await self.is_revoked(claims.session_id):
            raise Unauthenticated("This session has been signed out; sign in again.")
        return claims

    def owns(self, token: str) -> bool:
        """Whether ``token`` claims to be one of ours (by kid or issuer)."""
        try:
            header = tokens.unverified_header(token)
        except tokens.InvalidToken:
            return False
        kid = header.get("kid")
        if isinstance(kid, str) and kid in self.ring.keys:
            return True
        return unverified_issuer(token) == self.issuer
