"""The JWKS cache's refetch rules, on a clock the test moves."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from plugins.identity_parichay.jwks import JwksCache
from tests.identity_parichay.issuer import new_rsa, public_jwk

K1, K2 = public_jwk(new_rsa(), "k1"), public_jwk(new_rsa(), "k2")


class Source:
    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = [K1]
        self.calls = 0
        self.fail = False

    async def __call__(self) -> Any:
        self.calls += 1
        await asyncio.sleep(0)
        if self.fail:
            raise OSError("issuer down")
        return json.loads(json.dumps({"keys": self.keys}))


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


def cache_for(source: Source, clock: list[float]) -> JwksCache:
    return JwksCache(source, min_refetch=60, max_age=3600, clock=lambda: clock[0])


async def test_unknown_kid_refetches_at_most_once_a_minute(clock: list[float]) -> None:
    source = Source()
    cache = cache_for(source, clock)
    assert await cache.get("k1") is not None and source.calls == 1
    assert await cache.get("k2") is None and source.calls == 2
    clock[0] += 59
    assert await cache.get("k2") is None and source.calls == 2
    source.keys = [K1, K2]
    clock[0] += 2
    assert await cache.get("k2") is not None and source.calls == 3


async def test_failed_fetch_keeps_the_last_good_keys(clock: list[float]) -> None:
    source = Source()
    cache = cache_for(source, clock)
    await cache.get("k1")
    source.fail = True
    clock[0] += 3601  # stale: refetch, which fails
    assert await cache.get("k1") is not None
    assert source.calls == 2


async def test_concurrent_callers_share_one_fetch(clock: list[float]) -> None:
    source = Source()
    cache = cache_for(source, clock)
    keys = await asyncio.gather(*(cache.get("k1") for _ in range(10)))
    assert all(k is not None for k in keys)
    assert source.calls == 1


async def test_keys_for_encryption_or_symmetric_keys_are_ignored(clock: list[float]) -> None:
    source = Source()
    source.keys = [
        K1 | {"use": "enc"},
        {"kty": "oct", "kid": "k2", "k": "c2VjcmV0"},
    ]
    cache = cache_for(source, clock)
    assert await cache.get("k1") is None
    assert await cache.get("k2") is None
