"""IGNOU: catalogue snapshot and received completions

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
        "ignou_completions",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("course_id", sa.String(length=160), nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("completed_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_ignou_completions")),
    )
    op.create_table(
        "ignou_courses",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ignou_courses")),
    )


def downgrade() -> None:
    op.drop_table("ignou_courses")
    op.drop_table("ignou_completions")
