"""Parichay identity: sign-in states and onboarded mobiles

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
        "parichay_onboarded_mobiles",
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("onboarded_by", sa.String(length=64), nullable=False),
        sa.Column("onboarded_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mobile", name=op.f("pk_parichay_onboarded_mobiles")),
    )
    op.create_index(
        op.f("ix_parichay_onboarded_mobiles_organisation_id"),
        "parichay_onboarded_mobiles",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "parichay_sign_in_states",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=True),
        sa.Column("return_to", sa.Text(), nullable=False),
        sa.Column("want_json", sa.Boolean(), nullable=False),
        sa.Column("created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_parichay_sign_in_states")),
    )
    op.create_index(
        op.f("ix_parichay_sign_in_states_expires_at"),
        "parichay_sign_in_states",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_parichay_sign_in_states_expires_at"), table_name="parichay_sign_in_states")
    op.drop_table("parichay_sign_in_states")
    op.drop_index(
        op.f("ix_parichay_onboarded_mobiles_organisation_id"),
        table_name="parichay_onboarded_mobiles",
    )
    op.drop_table("parichay_onboarded_mobiles")
