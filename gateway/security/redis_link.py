"""The worker's one Redis client: a bounded, blocking connection pool, and one
place that notices when Redis is unavailable.

Every Redis user in a worker (rate limits, persisted queries, the response
cache, session checks, event publishing) shares this pool. It holds at most
``redis_max_connections`` connections; a request that finds them all busy waits
up to ``redis_pool_timeout_seconds`` for one instead of failing with "Too many
connections" (what redis-py's default, non-blocking pool does under a burst).

When Redis truly is unavailable each user falls back in its documented way
(docs/deployment.md "Faults"): rate limits are kept per worker, session checks
read the database, events wait in the outbox. :meth:`RedisLink.failed` logs
the first failure of an outage once (and its end once) and counts every
fallback in ``karmayogi_redis_fallbacks_total{use}``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.security.metrics import Metrics
    from gateway.settings import GatewaySettings

log = logging.getLogger("gateway.redis")
PROBE_SECONDS = 1.0


def bounded_client(settings: GatewaySettings, *, socket_timeout: bool = True) -> Redis:
    """A Redis client on a blocking pool sized by the settings (``redis_url`` must be set)."""
    from redis.asyncio import BlockingConnectionPool, Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    assert settings.redis_url is not None
    options: dict[str, Any] = {
        # One immediate reconnect (a restarted Redis), no backoff: a Redis that
        # is down must cost a request a refused connection, not seconds.
        "retry": Retry(NoBackoff(), 1),
        "max_connections": settings.redis_max_connections,
        "timeout": settings.redis_pool_timeout_seconds,
        "socket_connect_timeout": settings.redis_socket_timeout_seconds,
    }
    if socket_timeout:  # not for pub/sub readers, which wait for messages
        options["socket_timeout"] = settings.redis_socket_timeout_seconds
    pool = BlockingConnectionPool.from_url(settings.redis_url.get_secret_value(), **options)
    return Redis(connection_pool=pool)


class RedisLink:
    """The shared client plus the outage bookkeeping."""

    def __init__(self, client: Redis, max_connections: int, metrics: Metrics | None = None) -> None:
        self.client = client
        self.max_connections = max_connections
        self.metrics = metrics
        self.down_since: float | None = None
        self.last_failure = 0.0
        self.outages = 0

    def failed(self, use: str, exc: BaseException) -> None:
        """A Redis call of ``use`` failed and its fallback was taken."""
        if self.metrics is not None:
            self.metrics.redis_fallbacks.labels(use).inc()
        self.last_failure = time.monotonic()
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.outages += 1
            log.warning(
                "Redis is unavailable (%s: %s); falling back until it answers again "
                "(rate limits per worker, sessions from the database, events kept in the outbox)",
                type(exc).__name__,
                str(exc)[:200],
            )

    def resting(self) -> bool:
        """Whether Redis failed less than ``PROBE_SECONDS`` ago: readers that
        have a fallback skip it meanwhile (one probe a second, not a connect
        timeout per request)."""
        return self.down_since is not None and time.monotonic() - self.last_failure < PROBE_SECONDS

    def succeeded(self) -> None:
        """A Redis call answered: end the outage, if there was one."""
        if self.down_since is not None:
            log.warning("Redis answers again after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None

    def in_use(self) -> int:
        pool: Any = self.client.connection_pool
        return len(getattr(pool, "_in_use_connections", ()))

    async def aclose(self) -> None:
        await self.client.aclose()
