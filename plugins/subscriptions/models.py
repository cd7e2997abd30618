"""The event outbox: events written in the transaction of the change they
announce, published to Redis when it answers (``plugins.subscriptions.outbox``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata, utcnow


class SubscriptionsBase(DeclarativeBase):
    metadata = new_metadata()


class OutboxRow(SubscriptionsBase):
    """One event: published to Redis when ``published_at`` is set, kept
    ``KEEP_SECONDS`` more for listeners that reconnect to replay."""

    __tablename__ = "event_outbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the event id subscribers see
    topic: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
