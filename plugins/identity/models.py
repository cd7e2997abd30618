"""The core identity tables: gateway sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata, utcnow


class IdentityBase(DeclarativeBase):
    metadata = new_metadata()


class SessionRow(IdentityBase):
    """One signed-in session: its refresh token (hashed) and its revocation."""

    __tablename__ = "gateway_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The core learner's id (another lineage's table, so no foreign key).
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_refresh_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(64))
    # The identity provider's access token, encrypted with a key derived from
    # secret_key, kept only so logout can revoke it there too.
    upstream_token: Mapped[str | None] = mapped_column(Text)
