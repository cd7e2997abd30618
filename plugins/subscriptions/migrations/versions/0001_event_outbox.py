"""Subscriptions: the event outbox

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
        "event_outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_outbox")),
    )
    op.create_index(op.f("ix_event_outbox_created_at"), "event_outbox", ["created_at"], unique=False)
    op.create_index(op.f("ix_event_outbox_published_at"), "event_outbox", ["published_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_event_outbox_published_at"), table_name="event_outbox")
    op.drop_index(op.f("ix_event_outbox_created_at"), table_name="event_outbox")
    op.drop_table("event_outbox")
