"""The core's tables: organisations, learners, roles, competencies."""

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
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata, utcnow


class CoreBase(DeclarativeBase):
    metadata = new_metadata()


class OrganisationRow(CoreBase):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    root_id: Mapped[str] = mapped_column(String(64), index=True)
    # Materialised path of ids, "/root/child/.../self/", for subtree queries.
    path: Mapped[str] = mapped_column(String(1000), index=True)
    is_content_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganisationRequestRow(CoreBase):
    __tablename__ = "organisation_requests"
    __table_args__ = (
        # At most one pending request per (normalised name, parent).
        Index(
            "uq_organisation_requests_pending",
            "name_key",
            "parent_key",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    parent_key: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[str | None] = mapped_column(String(64))


class CompetencyRow(CoreBase):
    __tablename__ = "competencies"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    area: Mapped[str] = mapped_column(String(16), index=True)
    theme: Mapped[str] = mapped_column(String(200))
    sub_theme: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class DesignationCompetencyRow(CoreBase):
    __tablename__ = "designation_competencies"
    __table_args__ = (UniqueConstraint("organisation_id", "designation_key", "competency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    designation: Mapped[str] = mapped_column(String(200))
    designation_key: Mapped[str] = mapped_column(String(200))
    competency_id: Mapped[str] = mapped_column(ForeignKey("competencies.id"))
    level: Mapped[str | None] = mapped_column(String(16))


class LearnerRow(CoreBase):
    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    # One verified mobile number belongs to at most one learner (a unique
    # index; NULLs do not collide): one person is one learner.
    mobile: Mapped[str | None] = mapped_column(String(20), index=True, unique=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    designation: Mapped[str | None] = mapped_column(String(200))
    group: Mapped[str | None] = mapped_column(String(16))
    service: Mapped[str | None] = mapped_column(String(200))
    cadre: Mapped[str | None] = mapped_column(String(200))
    employee_code: Mapped[str | None] = mapped_column(String(64))
    # ACTIVE, PENDING (awaiting an admin's approval) or DISABLED.
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MobileConflictRow(CoreBase):
    """A sign-in refused because its verified mobile number belongs to another
    learner: kept for admins to see and resolve (docs/identity.md)."""

    __tablename__ = "mobile_conflicts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mobile: Mapped[str] = mapped_column(String(20), index=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    claimant_email: Mapped[str | None] = mapped_column(String(320))
    claimant_name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # RELEASED (the holder's number was cleared) or KEPT (the holder keeps it).
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WorkExperienceRow(CoreBase):
    __tablename__ = "work_experience"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    designation: Mapped[str] = mapped_column(String(200))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)


class RoleGrantRow(CoreBase):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("learner_id", "role", "organisation_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    organisation_key: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(String(64))
