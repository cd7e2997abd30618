"""haryana_ai_skilling: HRMS employee codes

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.api import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "haryana_hrms_codes",
        sa.Column("learner_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_haryana_hrms_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_haryana_hrms_codes_code")),
    )


def downgrade() -> None:
    op.drop_table("haryana_hrms_codes")
