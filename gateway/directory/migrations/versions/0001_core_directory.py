"""Core directory: organisations, requests, competencies, learners, roles

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
        "competencies",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("sub_theme", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competencies")),
    )
    op.create_index(op.f("ix_competencies_area"), "competencies", ["area"], unique=False)
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("root_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("is_content_provider", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisations.id"],
            name=op.f("fk_organisations_parent_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_index(op.f("ix_organisations_parent_id"), "organisations", ["parent_id"], unique=False)
    op.create_index(op.f("ix_organisations_path"), "organisations", ["path"], unique=False)
    op.create_index(op.f("ix_organisations_root_id"), "organisations", ["root_id"], unique=False)
    op.create_table(
        "designation_competencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("designation", sa.String(length=200), nullable=False),
        sa.Column("designation_key", sa.String(length=200), nullable=False),
        sa.Column("competency_id", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_designation_competencies_competency_id_competencies"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_designation_competencies_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_designation_competencies")),
        sa.UniqueConstraint(
            "organisation_id",
            "designation_key",
            "competency_id",
            name=op.f("uq_designation_competencies_organisation_id"),
        ),
    )
    op.create_index(
        op.f("ix_designation_competencies_organisation_id"),
        "designation_competencies",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "learners",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("designation", sa.String(length=200), nullable=True),
        sa.Column("group", sa.String(length=16), nullable=True),
        sa.Column("service", sa.String(length=200), nullable=True),
        sa.Column("cadre", sa.String(length=200), nullable=True),
        sa.Column("employee_code", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_learners_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("email", name=op.f("uq_learners_email")),
    )
    op.create_index(op.f("ix_learners_mobile"), "learners", ["mobile"], unique=False)
    op.create_index(op.f("ix_learners_organisation_id"), "learners", ["organisation_id"], unique=False)
    op.create_table(
        "organisation_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("parent_key", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=True),
        sa.Column("requested_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_requests_parent_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_requests")),
    )
    op.create_index(
        "uq_organisation_requests_pending",
        "organisation_requests",
        ["name_key", "parent_key"],
        unique=True,
        sqlite_where=sa.text("status = 'PENDING'"),
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("organisation_key", sa.String(length=64), nullable=False),
        sa.Column("granted_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_role_grants_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_role_grants_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
        sa.UniqueConstraint("learner_id", "role", "organisation_key", name=op.f("uq_role_grants_learner_id")),
    )
    op.create_index(op.f("ix_role_grants_learner_id"), "role_grants", ["learner_id"], unique=False)
    op.create_table(
        "work_experience",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("designation", sa.String(length=200), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_work_experience_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_work_experience_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_experience")),
    )
    op.create_index(op.f("ix_work_experience_learner_id"), "work_experience", ["learner_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_work_experience_learner_id"), table_name="work_experience")
    op.drop_table("work_experience")
    op.drop_index(op.f("ix_role_grants_learner_id"), table_name="role_grants")
    op.drop_table("role_grants")
    op.drop_index(
        "uq_organisation_requests_pending",
        table_name="organisation_requests",
        sqlite_where=sa.text("status = 'PENDING'"),
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.drop_table("organisation_requests")
    op.drop_index(op.f("ix_learners_organisation_id"), table_name="learners")
    op.drop_index(op.f("ix_learners_mobile"), table_name="learners")
    op.drop_table("learners")
    op.drop_index(op.f("ix_designation_competencies_organisation_id"), table_name="designation_competencies")
    op.drop_table("designation_competencies")
    op.drop_index(op.f("ix_organisations_root_id"), table_name="organisations")
    op.drop_index(op.f("ix_organisations_path"), table_name="organisations")
    op.drop_index(op.f("ix_organisations_parent_id"), table_name="organisations")
    op.drop_table("organisations")
    op.drop_index(op.f("ix_competencies_area"), table_name="competencies")
    op.drop_table("competencies")
