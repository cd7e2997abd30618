"""ISTM's hooks: its tables, its provider and its demo feed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gateway.hookspecs import hookimpl
from plugins.content_istm.models import IstmBase
from plugins.content_istm.provider import IstmProvider
from plugins.content_istm.sync import DEMO_FEED, sync_feed
from schema.cache import CATALOGUE, CacheDependencies
from schema.contribution import MigrationLineage

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.host import Gateway


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_content_istm",
        metadata=IstmBase.metadata,
    )


@hookimpl
def register_content_providers(gateway: Gateway) -> list[IstmProvider]:
    return [IstmProvider(gateway)]


@hookimpl
async def load_demo_data(gateway: Gateway, session: AsyncSession) -> None:
    await sync_feed(session, DEMO_FEED.read_bytes(), source=f"demo feed ({DEMO_FEED.name})")


@hookimpl
def register_cache_dependencies(gateway: Gateway) -> CacheDependencies:
    return CacheDependencies(
        tables={
            name: [CATALOGUE]
            for name in ("istm_courses", "istm_quiz_keys", "istm_collections", "istm_feed_syncs")
        }
    )
