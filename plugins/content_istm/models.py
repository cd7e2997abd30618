"""ISTM's own tables: the synced catalogue, answer keys, collections, sync history.

Full-text search: SQLite keeps an FTS5 table ``istm_courses_fts`` (created by
the migration, filled by the sync); PostgreSQL a GIN-indexed tsvector column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata


class IstmBase(DeclarativeBase):
    metadata = new_metadata()


class IstmCourseRow(IstmBase):
    __tablename__ = "istm_courses"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(120))
    languages: Mapped[list[str]] = mapped_column(JSON)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    competency_ids: Mapped[list[str]] = mapped_column(JSON)
    # The whole course record (structure included, answer keys excluded).
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # PostgreSQL: the tsvector (simple configuration) of title and description (GIN-indexed),
    # filled by the sync. SQLite leaves it NULL and uses istm_courses_fts.
    search_vector: Mapped[Any] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True)

    __table_args__ = (Index("ix_istm_courses_search", "search_vector", postgresql_using="gin"),)


class IstmQuizKeyRow(IstmBase):
    """Answer keys: read only by ``grade_quiz``, never copied into a record."""

    __tablename__ = "istm_quiz_keys"

    quiz_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(160), index=True)
    pass_percentage: Mapped[int] = mapped_column(Integer)
    # question id -> sorted list of correct option indexes; and the number of options
    answers: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    option_counts: Mapped[dict[str, int]] = mapped_column(JSON)


class IstmCollectionRow(IstmBase):
    __tablename__ = "istm_collections"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class IstmSyncRow(IstmBase):
    """One row per accepted feed: what is live is the latest row."""

    __tablename__ = "istm_feed_syncs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(1000))
    course_count: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
