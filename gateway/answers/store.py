"""Where answers are kept: in this process (bounded in entries and bytes), or
in Redis, shared by every worker (bounded per entry and by a lifetime; Redis'
own ``maxmemory`` bounds the whole).

A Redis that does not answer makes the cache step aside: lookups and stores
are skipped (the answer is computed, so it stays correct), the first failure
is logged, each is counted, and Redis is tried again after a short pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("gateway.answers")
RETRY_SECONDS = 2.0


class Unavailable(Exception):
    """The store could not be reached; bypass the cache for this request."""


class Store(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, body: bytes) -> None: ...


class LocalStore:
    def __init__(self, max_entries: int, max_bytes: int, ttl_seconds: float) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl_seconds
        self.bytes = 0
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, body = entry
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return body

    async def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + self.ttl, body)
            self.bytes += len(body)
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                oldest = next(iter(self._entries))
                self._drop(oldest)

    def _drop(self, key: str) -> None:
        _, body = self._entries.pop(key)
        self.bytes -= len(body)

    def __len__(self) -> int:
        return len(self._entries)


class RedisStore:
    def __init__(self, redis: Redis, ttl_seconds: int, on_down: Any) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self.on_down = on_down  # called with the exception, counted by the caller
        self._down_until = 0.0
        self._logged = False

    def _check(self) -> None:
        if self._down_until and time.monotonic() < self._down_until:
            raise Unavailable("redis is down")

    def _failed(self, exc: Exception) -> Unavailable:
        self._down_until = time.monotonic() + RETRY_SECONDS
        if not self._logged:
            self._logged = True
            log.warning(
                "answer cache: Redis does not answer (%s); answers are computed until it is back",
                type(exc).__name__,
            )
        self.on_down(exc)
        return Unavailable(str(exc))

    def _recovered(self) -> None:
        if self._down_until:
            self._down_until = 0.0
            if self._logged:
                self._logged = False
                log.warning("answer cache: Redis answers again")

    async def get(self, key: str) -> bytes | None:
        from redis.exceptions import RedisError

        self._check()
        try:
            raw: Any = await self.redis.get(key)
        except (RedisError, OSError) as exc:
            raise self._failed(exc) from exc
        self._recovered()
        return bytes(raw) if raw is not None else None

    async def put(self, key: str, body: bytes) -> None:
        from redis.exceptions import RedisError

        self._check()
        try:
            await self.redis.set(key, body, ex=self.ttl)
        except (RedisError, OSError) as exc:
            raise self._failed(exc) from exc
        self._recovered()
