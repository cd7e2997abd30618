"""Core identity: gateway sessions

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
        "gateway_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_refresh_hash", sa.String(length=64), nullable=True),
        sa.Column("refreshed_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=64), nullable=True),
        sa.Column("upstream_token", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_sessions")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_gateway_sessions_refresh_hash")),
    )
    op.create_index(op.f("ix_gateway_sessions_learner_id"), "gateway_sessions", ["learner_id"], unique=False)
    op.create_index(
        op.f("ix_gateway_sessions_previous_refresh_hash"),
        "gateway_sessions",
        ["previous_refresh_hash"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_gateway_sessions_previous_refresh_hash"), table_name="gateway_sessions")
    op.drop_index(op.f("ix_gateway_sessions_learner_id"), table_name="gateway_sessions")
    op.drop_table("gateway_sessions")
