"""The passbook's tables: enrolments and their progress, certificates, evidence,
the karma ledger, plan items and external completion events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata, utcnow


class PassbookBase(DeclarativeBase):
    metadata = new_metadata()


class LearnerLockRow(PassbookBase):
    """One row per learner with records: locked while karma is decided, so two
    completions of the same learner apply the monthly cap one after the other."""

    __tablename__ = "passbook_learners"

    learner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnrolmentRow(PassbookBase):
    __tablename__ = "passbook_enrolments"
    __table_args__ = (UniqueConstraint("learner_id", "course_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    course_id: Mapped[str] = mapped_column(String(200), index=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    # NOT_STARTED | IN_PROGRESS | COMPLETED
    status: Mapped[str] = mapped_column(String(16), default="NOT_STARTED")
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Snapshots taken at completion: what the learning hours and reports count.
    course_title: Mapped[str] = mapped_column(String(300), default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=0)
    feedback_rating: Mapped[int | None] = mapped_column(Integer)
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ResourceProgressRow(PassbookBase):
    __tablename__ = "passbook_resource_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "resource_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[str] = mapped_column(
        ForeignKey("passbook_enrolments.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[str] = mapped_column(String(300))
    percent: Mapped[int] = mapped_column(Integer)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttemptRow(PassbookBase):
    __tablename__ = "passbook_quiz_attempts"
    __table_args__ = (UniqueConstraint("enrolment_id", "resource_id", "attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[str] = mapped_column(
        ForeignKey("passbook_enrolments.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[str] = mapped_column(String(300))
    quiz_id: Mapped[str] = mapped_column(String(300))
    attempt: Mapped[int] = mapped_column(Integer)
    score_percent: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateRow(PassbookBase):
    __tablename__ = "passbook_certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    enrolment_id: Mapped[str] = mapped_column(
        ForeignKey("passbook_enrolments.id", ondelete="CASCADE"), unique=True
    )
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    course_id: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300))
    learner_name: Mapped[str] = mapped_column(String(200))
    access_code: Mapped[str] = mapped_column(String(6))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(200))


class EvidenceRow(PassbookBase):
    __tablename__ = "passbook_evidence"
    __table_args__ = (UniqueConstraint("learner_id", "competency_id", "channel", "context_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    competency_id: Mapped[str] = mapped_column(String(128))
    level: Mapped[str | None] = mapped_column(String(16))
    # COURSE | SELF_DECLARED | EVENT | EXTERNAL_COURSE | EXTERNAL_TRAINING
    channel: Mapped[str] = mapped_column(String(24))
    context_id: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[str | None] = mapped_column(String(200))
    certificate_id: Mapped[str | None] = mapped_column(String(36))
    evidence_url: Mapped[str | None] = mapped_column(String(1000))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class KarmaRow(PassbookBase):
    """The karma ledger: one row per reward, never updated; the unique key makes
    each reward happen at most once."""

    __tablename__ = "passbook_karma"
    __table_args__ = (UniqueConstraint("learner_id", "kind", "context_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(Integer)
    context_id: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(String(300), default="")
    awarded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanItemRow(PassbookBase):
    """A course an organisation assigned: to all its learners (subtree), to a
    designation, or to one named learner (``scope`` and ``target``)."""

    __tablename__ = "passbook_plan_items"
    __table_args__ = (UniqueConstraint("organisation_id", "course_id", "scope", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(String(64), index=True)
    course_id: Mapped[str] = mapped_column(String(200))
    # ALL_LEARNERS | DESIGNATION | LEARNER
    scope: Mapped[str] = mapped_column(String(16))
    # "" for ALL_LEARNERS, the designation key, or the learner id
    target: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExternalEventRow(PassbookBase):
    """External completion events already applied (at-least-once delivery)."""

    __tablename__ = "passbook_external_events"
    __table_args__ = (
        UniqueConstraint("provider_id", "event_id"),
        Index("ix_passbook_external_events_enrolment", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(200))
    enrolment_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
