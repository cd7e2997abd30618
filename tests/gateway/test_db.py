"""Storage: per-plugin migration lineages, start-up checks, datetimes."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from gateway.db import mask_url
from gateway.directory.models import OrganisationRow
from gateway.host import build_gateway
from gateway.settings import load_settings
from gateway.testing import GatewayClient, production_plugin_settings
from schema.errors import StartupError


async def test_every_lineage_creates_exactly_its_models(database_url: str) -> None:
    gateway = build_gateway(load_settings(database_url=database_url))
    try:
        upgraded = await gateway.upgrade()
        assert "core" in upgraded
        for plugin, lineage in gateway.lineages:
            if lineage.metadata is None:
                continue

            def diff(conn, metadata=lineage.metadata):
                ctx = MigrationContext.configure(conn, opts={"include_name": _own_tables(metadata)})
                return compare_metadata(ctx, metadata)

            async with gateway.db.engine.connect() as conn:
                differences = await conn.run_sync(diff)
            assert differences == [], f"{plugin}: models and migrations differ: {differences}"
        assert all(not s.pending for s in await gateway.migration_status())
        assert await gateway.upgrade() == []  # idempotent
    finally:
        await gateway.db.dispose()


def _own_tables(metadata):
    names = set(metadata.tables)

    def include(name, type_, parent_names):
        return type_ != "table" or name in names

    return include


async def test_production_refuses_pending_migrations_and_names_the_command(database_url: str) -> None:
    settings = load_settings(
        environment="production",
        database_url=database_url,
        secret_key="k" * 40,
        plugins=production_plugin_settings(),
    )
    gateway = build_gateway(settings)
    try:
        with pytest.raises(StartupError, match="karmayogi db upgrade"):
            await gateway.start()
    finally:
        await gateway.db.dispose()


async def test_unreachable_database_stops_startup_with_the_password_masked() -> None:
    url = "postgresql+asyncpg://app:hunter2@127.0.0.1:1/karmayogi"
    gateway = build_gateway(load_settings(database_url=url))
    with pytest.raises(StartupError) as caught:
        await gateway.start()
    assert "127.0.0.1:1/karmayogi" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    await gateway.db.dispose()


def test_mask_url_hides_the_password() -> None:
    assert mask_url("postgresql+asyncpg://u:secret@h/db") == "postgresql+asyncpg://u:***@h/db"


async def test_datetimes_round_trip_as_utc(client: GatewayClient) -> None:
    when = dt.datetime(2026, 11, 28, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        org = await session.get(OrganisationRow, "org:dopt")
        assert org is not None
        org.created_at = when
    async with client.gateway.db.sessionmaker() as session:
        org = await session.get(OrganisationRow, "org:dopt")
        assert org is not None and org.created_at == when and org.created_at.tzinfo is not None
        raw = (
            await session.execute(text("SELECT created_at FROM organisations WHERE id = 'org:dopt'"))
        ).scalar()
    assert "04:45" in str(raw)  # stored as UTC
