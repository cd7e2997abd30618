"""Token buckets per principal and per client address.

With ``redis_url`` the buckets live in Redis (one Lua script call per check,
timed by Redis' clock), so every worker draws on the same bucket; without it
they live in this process. A Redis failure falls back to the process's own
buckets and is logged, so an outage degrades the limit rather than the
service.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.security.redis_link import RedisLink

log = logging.getLogger("gateway.ratelimit")

# KEYS[1] bucket; ARGV: refill per second, capacity, cost.
# Returns {allowed (0/1), seconds until `cost` tokens are there (string)}.
_BUCKET_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {allowed, tostring(wait)}
"""

MAX_LOCAL_BUCKETS = 100_000


@dataclass(frozen=True)
class Bucket:
    """``per_minute`` tokens a minute, at most ``burst`` saved up."""

    per_minute: int
    burst: int

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


class LocalBuckets:
    """In-process buckets, least recently used dropped past a bound."""

    def __init__(self) -> None:
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, bucket: Bucket, cost: int = 1) -> float:
        """Take ``cost`` tokens; 0 if allowed, else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, ts = self._state.get(key, (float(bucket.burst), now))
            tokens = min(float(bucket.burst), tokens + max(0.0, now - ts) * bucket.rate)
            wait = 0.0
            if tokens >= cost:
                tokens -= cost
            else:
                wait = (cost - tokens) / bucket.rate
            self._state[key] = (tokens, now)
            self._state.move_to_end(key)
            while len(self._state) > MAX_LOCAL_BUCKETS:
                self._state.popitem(last=False)
        return wait


class RateLimiter:
    def __init__(self, redis: Redis | None, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.local = LocalBuckets()
        self._script: Any = redis.register_script(_BUCKET_SCRIPT) if redis is not None else None

    async def take(
        self, kind: str, identity: str, bucket: Bucket, cost: int = 1, link: RedisLink | None = None
    ) -> float:
        """Take ``cost`` tokens from ``kind:identity``'s bucket; return 0 when
        allowed, else the seconds until the request would be."""
        key = f"{self.prefix}rl:{kind}:{identity}"
        if self._script is not None and (link is None or not link.resting()):
            try:
                allowed, wait = await self._script(keys=[key], args=[bucket.rate, bucket.burst, cost])
            except Exception as exc:  # Redis down: limit in this process instead
                if link is None:
                    log.warning("rate limit store unavailable, limiting in process: %s", exc)
                else:  # logged once per outage, counted
                    link.failed("rate_limit", exc)
            else:
                if link is not None:
                    link.succeeded()
                return 0.0 if int(allowed) else float(wait)
        return self.local.take(key, bucket, cost)


def retry_after(wait: float) -> str:
    """The ``Retry-After`` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))
