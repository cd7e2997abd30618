"""Scope versions for the answer cache

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "cache_versions",
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_cache_versions")),
    )
    op.bulk_insert(table, [{"scope": "~epoch", "version": secrets.randbits(62)}])


def downgrade() -> None:
    op.drop_table("cache_versions")
