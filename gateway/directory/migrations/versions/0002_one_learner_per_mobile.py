"""One verified mobile number per learner; refused conflicting sign-ins kept for admins

Revision ID: 0002
Revises: 0001

A database that already holds two learners with one number cannot take the
unique index: the upgrade stops and names the numbers (masked), so an admin
can clear the wrong learner's number first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT mobile FROM learners WHERE mobile IS NOT NULL GROUP BY mobile HAVING COUNT(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if shared:
        masked = ", ".join("******" + str(m)[-4:] for m in shared[:20])
        raise RuntimeError(
            f"{len(shared)} mobile number(s) belong to more than one learner ({masked}); "
            "clear the number of the learners it does not belong to, then upgrade again."
        )
    op.drop_index(op.f("ix_learners_mobile"), table_name="learners")
    op.create_index(op.f("ix_learners_mobile"), "learners", ["mobile"], unique=True)
    op.create_table(
        "mobile_conflicts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("claimant_email", sa.String(length=320), nullable=True),
        sa.Column("claimant_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["learners.id"], name=op.f("fk_mobile_conflicts_holder_id_learners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobile_conflicts")),
    )
    op.create_index(op.f("ix_mobile_conflicts_mobile"), "mobile_conflicts", ["mobile"], unique=False)
    op.create_index(op.f("ix_mobile_conflicts_holder_id"), "mobile_conflicts", ["holder_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mobile_conflicts_holder_id"), table_name="mobile_conflicts")
    op.drop_index(op.f("ix_mobile_conflicts_mobile"), table_name="mobile_conflicts")
    op.drop_table("mobile_conflicts")
    op.drop_index(op.f("ix_learners_mobile"), table_name="learners")
    op.create_index(op.f("ix_learners_mobile"), "learners", ["mobile"], unique=False)
