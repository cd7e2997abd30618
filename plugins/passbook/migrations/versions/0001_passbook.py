"""Passbook: enrolments, progress, attempts, certificates, evidence, karma, plans, external events

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passbook_enrolments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("feedback_rating", sa.Integer(), nullable=True),
        sa.Column("feedback_comment", sa.Text(), nullable=True),
        sa.Column("feedback_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_enrolments")),
        sa.UniqueConstraint("learner_id", "course_id", name=op.f("uq_passbook_enrolments_learner_id")),
    )
    op.create_index(
        op.f("ix_passbook_enrolments_course_id"), "passbook_enrolments", ["course_id"], unique=False
    )
    op.create_index(
        op.f("ix_passbook_enrolments_learner_id"), "passbook_enrolments", ["learner_id"], unique=False
    )
    op.create_table(
        "passbook_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("competency_id", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("context_id", sa.String(length=300), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=True),
        sa.Column("certificate_id", sa.String(length=36), nullable=True),
        sa.Column("evidence_url", sa.String(length=1000), nullable=True),
        sa.Column("acquired_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_evidence")),
        sa.UniqueConstraint(
            "learner_id",
            "competency_id",
            "channel",
            "context_id",
            name=op.f("uq_passbook_evidence_learner_id"),
        ),
    )
    op.create_index(
        op.f("ix_passbook_evidence_learner_id"), "passbook_evidence", ["learner_id"], unique=False
    )
    op.create_table(
        "passbook_external_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("enrolment_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_external_events")),
        sa.UniqueConstraint("provider_id", "event_id", name=op.f("uq_passbook_external_events_provider_id")),
    )
    op.create_index(
        "ix_passbook_external_events_enrolment", "passbook_external_events", ["enrolment_id"], unique=False
    )
    op.create_table(
        "passbook_karma",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=300), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("awarded_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_karma")),
        sa.UniqueConstraint("learner_id", "kind", "context_id", name=op.f("uq_passbook_karma_learner_id")),
    )
    op.create_index(op.f("ix_passbook_karma_learner_id"), "passbook_karma", ["learner_id"], unique=False)
    op.create_table(
        "passbook_learners",
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_passbook_learners")),
    )
    op.create_table(
        "passbook_plan_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_plan_items")),
        sa.UniqueConstraint(
            "organisation_id",
            "course_id",
            "scope",
            "target",
            name=op.f("uq_passbook_plan_items_organisation_id"),
        ),
    )
    op.create_index(
        op.f("ix_passbook_plan_items_organisation_id"),
        "passbook_plan_items",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "passbook_certificates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("enrolment_id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column("learner_name", sa.String(length=200), nullable=False),
        sa.Column("access_code", sa.String(length=6), nullable=False),
        sa.Column("issued_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["passbook_enrolments.id"],
            name=op.f("fk_passbook_certificates_enrolment_id_passbook_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_certificates")),
        sa.UniqueConstraint("enrolment_id", name=op.f("uq_passbook_certificates_enrolment_id")),
    )
    op.create_index(
        op.f("ix_passbook_certificates_learner_id"), "passbook_certificates", ["learner_id"], unique=False
    )
    op.create_table(
        "passbook_quiz_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enrolment_id", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=300), nullable=False),
        sa.Column("quiz_id", sa.String(length=300), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("score_percent", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["passbook_enrolments.id"],
            name=op.f("fk_passbook_quiz_attempts_enrolment_id_passbook_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_quiz_attempts")),
        sa.UniqueConstraint(
            "enrolment_id", "resource_id", "attempt", name=op.f("uq_passbook_quiz_attempts_enrolment_id")
        ),
    )
    op.create_index(
        op.f("ix_passbook_quiz_attempts_enrolment_id"),
        "passbook_quiz_attempts",
        ["enrolment_id"],
        unique=False,
    )
    op.create_table(
        "passbook_resource_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enrolment_id", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=300), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["passbook_enrolments.id"],
            name=op.f("fk_passbook_resource_progress_enrolment_id_passbook_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passbook_resource_progress")),
        sa.UniqueConstraint(
            "enrolment_id", "resource_id", name=op.f("uq_passbook_resource_progress_enrolment_id")
        ),
    )
    op.create_index(
        op.f("ix_passbook_resource_progress_enrolment_id"),
        "passbook_resource_progress",
        ["enrolment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_passbook_resource_progress_enrolment_id"), table_name="passbook_resource_progress")
    op.drop_table("passbook_resource_progress")
    op.drop_index(op.f("ix_passbook_quiz_attempts_enrolment_id"), table_name="passbook_quiz_attempts")
    op.drop_table("passbook_quiz_attempts")
    op.drop_index(op.f("ix_passbook_certificates_learner_id"), table_name="passbook_certificates")
    op.drop_table("passbook_certificates")
    op.drop_index(op.f("ix_passbook_plan_items_organisation_id"), table_name="passbook_plan_items")
    op.drop_table("passbook_plan_items")
    op.drop_table("passbook_learners")
    op.drop_index(op.f("ix_passbook_karma_learner_id"), table_name="passbook_karma")
    op.drop_table("passbook_karma")
    op.drop_index("ix_passbook_external_events_enrolment", table_name="passbook_external_events")
    op.drop_table("passbook_external_events")
    op.drop_index(op.f("ix_passbook_evidence_learner_id"), table_name="passbook_evidence")
    op.drop_table("passbook_evidence")
    op.drop_index(op.f("ix_passbook_enrolments_learner_id"), table_name="passbook_enrolments")
    op.drop_index(op.f("ix_passbook_enrolments_course_id"), table_name="passbook_enrolments")
    op.drop_table("passbook_enrolments")
