"""IGNOU's tables: the last synced catalogue snapshot and received completions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata


class IgnouBase(DeclarativeBase):
    metadata = new_metadata()


class IgnouCourseRow(IgnouBase):
    """One course of the snapshot, as the provider API gave it (id qualified)."""

    __tablename__ = "ignou_courses"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class IgnouCompletionRow(IgnouBase):
    """A completion IGNOU reported; ``delivered_at`` once the passbook took it."""

    __tablename__ = "ignou_completions"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(160))
    learner_id: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
