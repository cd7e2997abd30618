"""A sign-out holds on every worker under every Redis failure, and only a
session the store knows to be live is accepted (issue 16, issue 15 item 4).

Two workers (two gateways on one database and one Redis of the test's own):
the sign-out is made on worker A and tried on worker B after each fault. The
database is the record; Redis' live mark (``live_cache_seconds``) is the only
thing that can outlast a sign-out it did not hear about, and only until it
expires.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from redis.asyncio import Redis

from gateway.db.types import utcnow
from gateway.private_services import PrivateRedis
from gateway.testing import GatewayClient, MakeGateway
from plugins.identity import tokens
from plugins.identity.runtime import session_service
from tests.identity.helpers import bearer

ME = "{ me { id } }"
ASHA = "learner:demo-asha"


async def me(worker: GatewayClient, token: str) -> int:
    body = await worker.graphql(ME, headers=bearer(token), expect_errors=True)
    status: int = body["_status"]
    if status == 200:
        assert body["data"]["me"]["id"] == ASHA
    else:
        assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    return status


async def two_workers(make_gateway: MakeGateway, redis_url: str, **extra: Any) -> list[GatewayClient]:
    return [await make_gateway(redis_url=redis_url, **extra) for _ in range(2)]


async def sign_out(worker: GatewayClient, token: str) -> None:
    answer = await worker.http.post("/auth/logout", headers=bearer(token))
    assert answer.status_code == 200


def fallbacks(worker: GatewayClient) -> float:
    from gateway.security.services import services_of

    return services_of(worker.gateway).metrics.redis_fallbacks.labels("session")._value.get()


@pytest.mark.parametrize("fault", ["restarted-empty", "restarted-from-dump", "flushed", "replaced"])
async def test_a_sign_out_made_before_a_redis_fault_still_holds_after_it(
    make_gateway: MakeGateway, private_redis: PrivateRedis, tmp_path: Any, fault: str
) -> None:
    worker_a, worker_b = await two_workers(make_gateway, private_redis.url)
    token = await worker_a.session_token(ASHA)
    assert await me(worker_b, token) == 200
    await sign_out(worker_a, token)
    assert await me(worker_b, token) == 401
    if fault == "restarted-empty":
        private_redis.restart(keep_data=False)
    elif fault == "restarted-from-dump":
        private_redis.restart(keep_data=True)
    elif fault == "flushed":
        private_redis.cli("FLUSHALL")
    else:  # another, empty instance takes the address
        private_redis.stop(save=True)
        private_redis.directory = tmp_path / "other-redis"  # its own, empty data
        private_redis.directory.mkdir()
        private_redis.start()
    for worker in (worker_b, worker_a, worker_b):
        assert await me(worker, token) == 401


async def test_a_sign_out_while_redis_is_down_holds_when_it_comes_back_empty(
    make_gateway: MakeGateway, private_redis: PrivateRedis
) -> None:
    worker_a, worker_b = await two_workers(make_gateway, private_redis.url)
    token = await worker_a.session_token(ASHA)
    assert await me(worker_b, token) == 200
    private_redis.stop()
    assert await me(worker_b, token) == 200  # the database answers
    await sign_out(worker_a, token)  # the database only: Redis is away
    assert await me(worker_b, token) == 401
    assert fallbacks(worker_a) >= 1 and fallbacks(worker_b) >= 1  # counted
    private_redis.start()  # empty
    for worker in (worker_b, worker_a):
        assert await me(worker, token) == 401


async def test_a_sign_out_redis_missed_holds_once_the_live_mark_of_its_dump_expires(
    make_gateway: MakeGateway, private_redis: PrivateRedis
) -> None:
    """The one window: Redis restarted from a dump holding the session's live
    mark, written before a sign-out it never heard of. The mark carries its
    expiry (live_cache_seconds) in the dump; once it lapses the database decides."""
    identity = {"plugins": {"identity": {"live_cache_seconds": 1}}}
    worker_a, worker_b = await two_workers(make_gateway, private_redis.url, **identity)
    token = await worker_a.session_token(ASHA)
    assert await me(worker_b, token) == 200  # marked live in Redis
    private_redis.stop(save=True)  # the dump holds the live mark
    await sign_out(worker_a, token)  # Redis is away
    private_redis.start()  # from the dump
    client = Redis.from_url(private_redis.url)
    try:
        marks = list(await client.keys("karmayogi:session-live:*"))
        assert len(marks) <= 1
        remaining = [await client.pttl(key) for key in marks]
        assert all(ms <= 1000 for ms in remaining)  # never longer than live_cache_seconds
        await asyncio.sleep(max([0, *remaining]) / 1000 + 0.05)  # let the mark lapse
        assert not marks or not await client.exists(*marks)
    finally:
        await client.aclose()
    for worker in (worker_b, worker_a):
        assert await me(worker, token) == 401


@pytest.mark.parametrize("redis", [False, True], ids=["database", "redis"])
async def test_a_validly_signed_token_for_a_session_that_never_existed_is_refused(
    make_gateway: MakeGateway, private_redis: PrivateRedis, redis: bool
) -> None:
    worker = await make_gateway(**({"redis_url": private_redis.url} if redis else {}))
    service = session_service(worker.gateway)
    forged, _ = tokens.issue(
        service.ring,
        issuer=service.issuer,
        learner_id=ASHA,
        session_id="sess_" + secrets.token_urlsafe(18),
        source="test",
        now=utcnow(),
    )
    assert await me(worker, forged) == 401
    assert await me(worker, forged) == 401  # and Redis did not learn it as live
    if redis:
        client = Redis.from_url(private_redis.url)
        try:
            assert await client.keys("karmayogi:session-live:*") == []
        finally:
            await client.aclose()
