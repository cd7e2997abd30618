"""ISTM catalogue: courses, answer keys, collections, feed syncs; full-text search

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gateway.db.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "istm_collections",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_istm_collections")),
    )
    op.create_table(
        "istm_courses",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("competency_ids", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "search_vector",
            sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_istm_courses")),
    )
    op.create_index(
        "ix_istm_courses_search",
        "istm_courses",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "istm_feed_syncs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("course_count", sa.Integer(), nullable=False),
        sa.Column("synced_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_istm_feed_syncs")),
    )
    op.create_table(
        "istm_quiz_keys",
        sa.Column("quiz_id", sa.String(length=300), nullable=False),
        sa.Column("course_id", sa.String(length=160), nullable=False),
        sa.Column("pass_percentage", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("option_counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("quiz_id", name=op.f("pk_istm_quiz_keys")),
    )
    op.create_index(op.f("ix_istm_quiz_keys_course_id"), "istm_quiz_keys", ["course_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE istm_courses_fts USING fts5("
            "course_id UNINDEXED, title, description, tokenize = 'porter unicode61')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE istm_courses_fts")
    op.drop_index(op.f("ix_istm_quiz_keys_course_id"), table_name="istm_quiz_keys")
    op.drop_table("istm_quiz_keys")
    op.drop_table("istm_feed_syncs")
    op.drop_table("istm_courses")
    op.drop_table("istm_collections")
