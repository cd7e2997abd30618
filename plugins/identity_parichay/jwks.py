"""An issuer's signing keys, fetched asynchronously and cached.

An unknown ``kid`` triggers at most one refetch per ``min_refetch`` seconds;
a failed fetch keeps the last good keys; keys older than ``max_age`` are
refetched on next use. Concurrent callers share one fetch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

log = logging.getLogger("plugins.identity_parichay")

Fetch = Callable[[], Awaitable[Any]]


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """Signing keys by ``kid``; keys without a kid, for encryption, or of a
    type we cannot use are left out."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("JWKS document has no 'keys' list")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or entry.get("kty") == "oct":
            continue
        try:
            keys[kid] = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
    return keys


class JwksCache:
    def __init__(
        self,
        fetch: Fetch,
        *,
        min_refetch: float = 60.0,
        max_age: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.min_refetch = min_refetch
        self.max_age = max_age
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last good fetch
        self._attempted_at: float | None = None  # last attempt, good or not
        self._unknown_refetch_at: float | None = None  # last refetch for an unknown kid
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def get(self, kid: str | None) -> jwt.PyJWK | None:
        """The key for ``kid`` (a token without a kid may use a sole key)."""
        now = self._clock()
        if self._fetched_at is None or now - self._fetched_at > self.max_age:
            await self._refresh(unknown_kid=False)
        key = self._lookup(kid)
        if key is None and kid is not None:
            await self._refresh(unknown_kid=True)
            key = self._lookup(kid)
        return key

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, *, unknown_kid: bool) -> None:
        started = self._clock()
        generation = self.fetches
        async with self._lock:
            if self.fetches != generation:
                return  # another caller fetched while we waited
            if unknown_kid:
                last = self._unknown_refetch_at
                if last is not None and started - last < self.min_refetch:
                    return  # at most one refetch a minute for unknown kids
                self._unknown_refetch_at = started
            elif (
                self._fetched_at is not None
                and self._attempted_at is not None
                and started - self._attempted_at < self.min_refetch
            ):
                return  # stale keys, but the last attempt failed moments ago
            self._attempted_at = self._clock()
            self.fetches += 1
            try:
                keys = parse_jwks(await self._fetch())
            except Exception as exc:  # keep the last good keys
                log.warning("JWKS fetch failed; keeping the last good keys", extra={"error": str(exc)})
                return
            self._keys = keys
            self._fetched_at = self._clock()
