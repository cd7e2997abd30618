"""The subgraphs plugin's hooks: settings, composition, the JWKS route, commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.hookspecs import hookimpl
from plugins.subgraphs.keys import RUNTIME, SIGNER
from plugins.subgraphs.settings import SubgraphsSettings
from schema.contribution import SchemaContribution

if TYPE_CHECKING:
    import typer
    from graphql import GraphQLSchema
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from gateway.host import Gateway
    from plugins.subgraphs.tokens import TokenSigner

JWKS_PATH = "/.well-known/subgraphs/jwks.json"


@hookimpl
def register_settings_model() -> type[SubgraphsSettings]:
    return SubgraphsSettings


def signer_of(gateway: Gateway) -> TokenSigner:
    from plugins.subgraphs.tokens import TokenSigner, load_key

    existing = gateway.state.get(SIGNER)
    if existing is None:
        settings = gateway.plugin_settings(SubgraphsSettings)
        key = load_key(settings.signing_key.get_secret_value() if settings.signing_key else None)
        existing = TokenSigner(key, settings.issuer, settings.token_seconds)
        gateway.state[SIGNER] = existing
    return existing


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution | None:
    settings = gateway.plugin_settings(SubgraphsSettings)
    if not settings.subgraphs:
        return None

    def transform(strawberry_schema: Any, schema: GraphQLSchema) -> GraphQLSchema:
        from strawberry.printer import print_schema

        from plugins.subgraphs.compose import extend
        from plugins.subgraphs.remote import load
        from plugins.subgraphs.resolvers import attach
        from plugins.subgraphs.runtime import Runtime

        remotes = [load(s) for s in settings.subgraphs]
        own_sdl = print_schema(strawberry_schema)  # the gateway as a subgraph: its own fields only
        extended, own = extend(strawberry_schema, schema, remotes)
        service = extended.type_map.get("_Service")
        if service is not None:
            service.fields["sdl"].resolve = lambda *_args, **_kwargs: own_sdl  # type: ignore[attr-defined]
        runtime = Runtime(gateway, own, signer_of(gateway))
        attach(extended, runtime)
        gateway.state[RUNTIME] = runtime
        return extended

    def guard() -> Any:
        from plugins.subgraphs.guard import SubgraphGuard

        return SubgraphGuard(gateway, settings)

    return SchemaContribution(schema_transforms=[transform], extensions=[guard])


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(signer_of(gateway).jwks(), headers={"cache-control": "public, max-age=300"})

    return [Route(JWKS_PATH, jwks, methods=["GET"])]


@hookimpl
async def shutdown(gateway: Gateway) -> None:
    runtime = gateway.state.get(RUNTIME)
    if runtime is not None:
        await runtime.close()


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from plugins.subgraphs.commands import add_commands

    add_commands(cli)
