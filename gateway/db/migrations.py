"""Alembic lineages, one per plugin, each with its own version table.

No ``env.py`` is needed: the runner configures Alembic programmatically on the
app's own (async) engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from gateway.db.engine import Database
    from schema.contribution import MigrationLineage


@dataclass(frozen=True)
class LineageStatus:
    plugin: str
    version_table: str
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def pending(self) -> bool:
        return set(self.current) != set(self.heads)


def _script(lineage: MigrationLineage) -> tuple[Config, ScriptDirectory]:
    config = Config()
    config.set_main_option("script_location", str(lineage.script_location))
    return config, ScriptDirectory.from_config(config)


def _status(conn: Connection, plugin: str, lineage: MigrationLineage) -> LineageStatus:
    _, script = _script(lineage)
    ctx = MigrationContext.configure(conn, opts={"version_table": lineage.version_table})
    return LineageStatus(
        plugin=plugin,
        version_table=lineage.version_table,
        current=tuple(ctx.get_current_heads()),
        heads=tuple(script.get_heads()),
    )


def _upgrade(conn: Connection, lineage: MigrationLineage, target: str) -> None:
    config, script = _script(lineage)

    def do_upgrade(rev: Any, _context: Any) -> Any:
        return script._upgrade_revs(target, rev)

    with EnvironmentContext(config, script, fn=do_upgrade, destination_rev=target) as env:
        env.configure(
            connection=conn,
            version_table=lineage.version_table,
            target_metadata=lineage.metadata,
            render_as_batch=conn.dialect.name == "sqlite",
            transactional_ddl=True,
        )
        with env.begin_transaction():
            env.run_migrations()


async def status(db: Database, lineages: list[tuple[str, MigrationLineage]]) -> list[LineageStatus]:
    async with db.engine.connect() as conn:
        return [await conn.run_sync(_status, plugin, lineage) for plugin, lineage in lineages]


async def upgrade(db: Database, lineages: list[tuple[str, MigrationLineage]]) -> list[str]:
    """Apply every pending lineage; return the plugins that were upgraded."""
    done = []
    for plugin, lineage in lineages:
        async with db.engine.begin() as conn:
            state = await conn.run_sync(_status, plugin, lineage)
            if state.pending:
                await conn.run_sync(_upgrade, lineage, "heads")
                done.append(plugin)
    return done
