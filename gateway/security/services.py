"""The abuse controls' per-app services (kernel), made on first use and kept in
``gateway.state[STATE_KEY]``: the Redis client (when ``redis_url`` is set),
rate limiter, persisted operations, metrics and tracing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from gateway.answers.cache import AnswerCache, merge_fields
from gateway.answers.versions import mark
from gateway.security.metrics import Metrics
from gateway.security.persisted import PersistedOperations
from gateway.security.ratelimit import Bucket, RateLimiter
from gateway.security.redis_link import RedisLink, bounded_client
from gateway.security.response_cache import ResponseCache
from schema.context import StateKey

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.host import Gateway
    from gateway.security.tracing import Tracing


@dataclass
class Services:
    redis: Redis | None
    link: RedisLink | None
    limiter: RateLimiter
    principal_bucket: Bucket
    address_bucket: Bucket
    persisted: PersistedOperations
    metrics: Metrics
    tracing: Tracing | None
    responses: ResponseCache
    make_answers: Callable[[], AnswerCache]

    @cached_property
    def answers(self) -> AnswerCache:
        """The answer cache, made on first use (it needs the composed schema,
        which plugins' services may be asked for before)."""
        return self.make_answers()

    async def take(self, kind: Literal["address", "principal"], identity: str, cost: int = 1) -> float:
        """Take ``cost`` tokens from the ``kind`` bucket of ``identity`` (a client
        address or a learner id); 0 when allowed, else the seconds to wait (and
        the refusal is counted in ``karmayogi_rate_limited_total``)."""
        bucket = self.address_bucket if kind == "address" else self.principal_bucket
        wait = await self.limiter.take(kind, identity, bucket, cost, self.link)
        if wait > 0:
            self.metrics.rate_limited.labels(kind).inc()
        return wait


STATE_KEY: StateKey[Services] = StateKey("security.services")


def redis_link(gateway: Gateway) -> RedisLink | None:
    """The worker's shared Redis client and outage bookkeeping (None without ``redis_url``)."""
    return services_of(gateway).link


def services_of(gateway: Gateway) -> Services:
    existing = gateway.state.get(STATE_KEY)
    if existing is not None:
        return existing
    settings = gateway.settings
    tracing = None
    if settings.tracing.enabled:
        from gateway.security.tracing import Tracing

        tracing = Tracing(settings.tracing)
        tracing.instrument(gateway.db)
    metrics = Metrics()
    redis: Redis | None = None
    link: RedisLink | None = None
    if settings.redis_url is not None:
        redis = bounded_client(settings)
        link = RedisLink(redis, settings.redis_max_connections, metrics)
        metrics.redis_pool_max.set(settings.redis_max_connections)
    limits = settings.rate_limits
    services = Services(
        redis=redis,
        link=link,
        limiter=RateLimiter(redis, settings.redis_prefix),
        principal_bucket=Bucket(limits.per_principal_per_minute, limits.principal_burst),
        address_bucket=Bucket(limits.per_address_per_minute, limits.address_burst),
        persisted=PersistedOperations(
            settings.persisted_operations, gateway.db, redis, settings.redis_prefix, metrics
        ),
        metrics=metrics,
        tracing=tracing,
        responses=ResponseCache(settings.response_cache, redis, settings.redis_prefix),
        make_answers=lambda: AnswerCache(
            gateway,
            merge_fields([dict(gateway.cache_dependencies.fields)]),
            redis,
            settings.redis_prefix,
            metrics,
        ),
    )
    gateway.state[STATE_KEY] = services
    return services


async def close_services(gateway: Gateway) -> None:
    services = gateway.state.pop(STATE_KEY)
    if services is None:
        return
    if services.tracing is not None:
        services.tracing.shutdown()
    if services.link is not None:
        await services.link.aclose()


async def catalogue_changed(gateway: Gateway) -> int:
    """Move the catalogue version on, so cached answers are no longer used.
    Call after a provider's catalogue changes; returns the new version of the
    anonymous response cache (the answer cache's ``catalogue`` scope is bumped
    in the database)."""
    await bump_cache_scopes(gateway, ["catalogue"])
    return await services_of(gateway).responses.bump()


async def bump_cache_scopes(gateway: Gateway, scopes: list[str]) -> None:
    """Bump answer-cache scopes in a transaction of their own, for data that
    changed outside the gateway's database (a provider's feed, a remote
    source). Inside a write, ``gateway.api.mark_cache_scopes(session, scopes)``
    bumps them in that transaction instead."""
    async with gateway.db.write_sessionmaker() as session, session.begin():
        mark(session, scopes)
