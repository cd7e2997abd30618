"""The abuse controls' part of the kernel's life: ``/metrics``, and the Redis
client and tracing started and stopped with the app. Kernel code, not a
plugin: rate limits, persisted operations and metrics are always on."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.extensions import document_cache
from gateway.security.services import close_services, services_of
from schema.errors import StartupError

if TYPE_CHECKING:
    from gateway.host import Gateway

METRICS_MEDIA = "text/plain; version=0.0.4; charset=utf-8"


def routes(gateway: Gateway) -> list[BaseRoute]:
    if not gateway.settings.metrics:
        return []

    async def metrics(_: Request) -> Response:
        services = services_of(gateway)
        services.metrics.sample_pool(gateway.db)
        if services.link is not None:
            services.metrics.redis_pool_in_use.set(services.link.in_use())
        return Response(services.metrics.exposition(), media_type=METRICS_MEDIA)

    return [Route("/metrics", metrics, methods=["GET"])]


async def start(gateway: Gateway) -> None:
    services = services_of(gateway)
    if services.redis is not None:
        try:
            await asyncio.wait_for(services.redis.ping(), timeout=5)
        except Exception as exc:
            raise StartupError(
                f"Cannot reach Redis at redis_url ({type(exc).__name__}: {exc}); start it or unset "
                "redis_url to keep rate limits and persisted queries in this process and the database."
            ) from exc
    cache = document_cache(list(gateway.schema.extensions))
    if cache is not None:
        metrics = services.metrics
        cache.on_lookup = lambda hit: metrics.cache_lookup("documents", hit)


async def stop(gateway: Gateway) -> None:
    await close_services(gateway)
