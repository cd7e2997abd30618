"""The security plugin's table: persisted operations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata, utcnow


class SecurityBase(DeclarativeBase):
    metadata = new_metadata()


class PersistedOperationRow(SecurityBase):
    """A GraphQL document by its hash: registered (trusted) by
    ``karmayogi operations register``, or learnt through automatic
    persisted queries when no Redis is configured."""

    __tablename__ = "persisted_operations"

    hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200))
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
