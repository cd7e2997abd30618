"""IGNOU's hooks: settings, tables, the provider, the completions webhook,
``karmayogi demo ignou`` and the demo snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from starlette.routing import Route

from gateway.hookspecs import hookimpl
from plugins.content_ignou.models import IgnouBase
from plugins.content_ignou.provider import IgnouProvider, store_snapshot
from plugins.content_ignou.settings import IgnouSettings
from plugins.content_ignou.standin.programmes import demo_programmes
from plugins.content_ignou.webhook import CompletionsEndpoint, deliver_pending
from schema.cache import CATALOGUE, CacheDependencies
from schema.context import StateKey
from schema.contribution import MigrationLineage

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.routing import BaseRoute

    from gateway.host import Gateway

NAME = "content_ignou"
PROVIDER: StateKey[IgnouProvider] = StateKey("content_ignou.provider")


@hookimpl
def register_settings_model() -> type[IgnouSettings]:
    return IgnouSettings


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_content_ignou",
        metadata=IgnouBase.metadata,
    )


def provider_of(gateway: Gateway) -> IgnouProvider:
    existing = gateway.state.get(PROVIDER)
    if existing is None:
        existing = IgnouProvider(gateway, gateway.plugin_settings(IgnouSettings))
        gateway.state[PROVIDER] = existing
    return existing


@hookimpl
def register_content_providers(gateway: Gateway) -> list[IgnouProvider]:
    return [provider_of(gateway)]


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    endpoint = CompletionsEndpoint(gateway, provider_of(gateway))
    return [Route("/providers/ignou/completions", endpoint.handle, methods=["POST"])]


@hookimpl
async def startup(gateway: Gateway) -> None:
    await deliver_pending(gateway)


@hookimpl
async def load_demo_data(gateway: Gateway, session: AsyncSession) -> None:
    await store_snapshot(session, demo_programmes())


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    demo = next((g.typer_instance for g in cli.registered_groups if g.name == "demo"), None)
    target = demo if demo is not None else cli

    @target.command("ignou")
    def demo_ignou(
        port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8765,
    ) -> None:
        """Run the IGNOU stand-in (demo programmes) on loopback until Ctrl-C."""
        from plugins.content_ignou.standin.server import StandIn

        standin = StandIn(demo_programmes(), port=port)
        typer.echo(
            f"IGNOU stand-in on http://127.0.0.1:{port}/graphql (demo data). Point the gateway "
            f"at it: KARMAYOGI_PLUGINS__CONTENT_IGNOU__URL=http://127.0.0.1:{port}/graphql"
        )
        standin.serve_forever()


@hookimpl
def register_cache_dependencies(gateway: Gateway) -> CacheDependencies:
    return CacheDependencies(tables={"ignou_courses": [CATALOGUE], "ignou_completions": []})
