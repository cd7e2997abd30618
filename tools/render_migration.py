"""Write a lineage's first revision from a plugin's models.

``python tools/render_migration.py gateway.directory.models:CoreBase OUT.py "message"``
renders the Alembic operations that create every table of the plugin's
metadata. Review the file before committing it; later revisions are written by
hand (or with ``alembic revision --autogenerate`` against a dev database).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.types

revision = "{revision}"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def render(target: str, revision: str, message: str) -> str:
    module_name, _, attr = target.partition(":")
    base = getattr(importlib.import_module(module_name), attr)
    with create_engine("sqlite://").connect() as conn:
        ops = produce_migrations(MigrationContext.configure(conn), base.metadata)
        up = render_python_code(ops.upgrade_ops)
        down = render_python_code(ops.downgrade_ops)
    strip = [line for line in up.splitlines() if "###" not in line]
    strip_down = [line for line in down.splitlines() if "###" not in line]
    return TEMPLATE.format(
        message=message,
        revision=revision,
        upgrade="\n".join(strip),
        downgrade="\n".join(strip_down),
    )


def main() -> None:
    target, out, message = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    revision = out.stem.split("_")[0]
    out.write_text(render(target, revision, message))


if __name__ == "__main__":
    main()
