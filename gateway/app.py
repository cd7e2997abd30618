"""``create_app``: settings in, a configured Starlette app out."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.catalogue import calls
from gateway.graphql_http import GraphQLEndpoint
from gateway.home import home_routes
from gateway.host import Gateway, build_gateway
from gateway.observability import RequestIdMiddleware
from gateway.security.services import services_of
from gateway.settings import GatewaySettings, load_settings


def create_app(
    settings: GatewaySettings | None = None,
    *,
    extra_plugins: Iterable[tuple[str, object]] = (),
    server_process: bool = False,
) -> Starlette:
    """Build the plugin host, compose the schema and return the app.

    Everything is configured here; nothing changes after start-up. The
    database is connected (and migrated in development) by the lifespan.
    ``server_process``: the app is the one app of a server worker (uvicorn's
    factory), which then freezes what start-up allocated out of the garbage
    collector's way (``gc.freeze``): the schema, the plugins and the plans
    live as long as the process, and a collection no longer walks them.
    """
    settings = settings or load_settings()
    gateway = build_gateway(settings, extra_plugins=extra_plugins)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Gateway]]:
        await gateway.start()
        if server_process:
            gc.collect()
            gc.freeze()
        try:
            yield {"gateway": gateway}
        finally:
            await gateway.stop()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        database = await gateway.db.ping()
        link = services_of(gateway).link
        providers = {pid: await calls.healthy(gateway, p) for pid, p in gateway.providers.items()}
        body = {
            "status": "ready" if database else "unavailable",
            "database": database,
            # Redis down is a degraded mode, not unreadiness (docs/deployment.md "Faults")
            "redis": None if link is None else link.down_since is None,
            "providers": providers,
            # Entry-point plugins left out by skip_broken_plugins: the gateway runs without them.
            "failedPlugins": {
                name: {"source": info.source, "error": info.error}
                for name, info in gateway.plugins.failed.items()
            },
            "stateModules": gateway.states.describe(),  # state module -> states it is on in
        }
        return JSONResponse(body, status_code=200 if database else 503)

    endpoint = GraphQLEndpoint(gateway)
    routes = [
        Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
        *(endpoint.ide.routes() if endpoint.ide is not None else []),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *gateway.routes,
    ]
    routes += home_routes(settings, {getattr(r, "path", "") for r in routes})
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gateway
    if settings.cors_allow_origins:
        from gateway.security.cors import add_cors

        add_cors(app, settings.cors_allow_origins)
    app.add_middleware(RequestIdMiddleware)
    return app
