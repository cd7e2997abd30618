"""Rate limits on the websocket: opening a connection spends the client
address's token, each ``subscribe`` the learner's, from the same buckets HTTP
draws on, kept in the process or in Redis. Real uvicorn servers, a real
websockets client."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gateway.plugin_testing import LiveServer
from gateway.testing import MakeGateway
from plugins.subscriptions.plugin import events_of
from tests.gateway.test_subscriptions import (
    NOTICES,
    PROTOCOL,
    receive,
    send,
    signed_in,
    start,
    wait_for_subscribers,
)
from tests.security.test_observability import metrics_text, sample

ASHA = "learner:demo-asha"


@pytest.fixture(params=["in-process", "redis"])
def limiter(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings for the limiter under test; with Redis, a prefix of the test's own."""
    if request.param == "in-process":
        return {}
    url = request.getfixturevalue("redis_url")
    return {"redis_url": url, "redis_prefix": f"karmayogi:test:{uuid.uuid4().hex}:"}


def limits(**buckets: int) -> dict[str, Any]:
    generous = {
        "per_address_per_minute": 6_000,
        "address_burst": 1_000,
        "per_principal_per_minute": 6_000,
        "principal_burst": 1_000,
    }
    return {"rate_limits": {"enabled": True, **generous, **buckets}}


async def refused_with(url: str) -> tuple[int, str]:
    """Open a socket that the gateway refuses; its close code and reason."""
    ws = await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
    assert ws.subprotocol == PROTOCOL  # the handshake succeeds, so the client sees the close code
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    await ws.close()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_connections_past_the_address_burst_are_closed_1013(
    make_gateway: MakeGateway, live_server: LiveServer, limiter: dict[str, Any]
) -> None:
    settings = {**limiter, **limits(address_burst=2, per_address_per_minute=1)}
    client, url = await start(make_gateway, live_server, **settings)
    for _ in range(2):
        async with await signed_in(url):
            pass
    code, reason = await refused_with(url)
    assert code == 1013
    assert reason.startswith("Too many requests; retry in ") and reason.endswith(" s")
    assert int(reason.split("retry in ")[1].split()[0]) >= 1
    text = await metrics_text(client)
    assert sample(text, "karmayogi_rate_limited_total", kind="address") == 1
    if "redis_url" in limiter:
        # Another worker sharing the Redis refuses the same address too.
        _, other_url = await start(make_gateway, live_server, **settings)
        assert (await refused_with(other_url))[0] == 1013


async def test_a_subscribe_past_the_learners_burst_gets_rate_limited_and_the_socket_goes_on(
    make_gateway: MakeGateway, live_server: LiveServer, limiter: dict[str, Any]
) -> None:
    # Two subscribes at once, then one every 0.5 s.
    settings = {**limiter, **limits(principal_burst=2, per_principal_per_minute=120)}
    client, url = await start(make_gateway, live_server, **settings)
    async with await signed_in(url) as ws:
        for op in ("a", "b", "c"):
            await send(ws, {"id": op, "type": "subscribe", "payload": {"query": NOTICES}})
        refused = await receive(ws)
        assert refused["type"] == "error" and refused["id"] == "c"
        [error] = refused["payload"]
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfterSeconds": 1}
        assert error["message"] == "Too many requests from this principal; retry in 1 s."
        await wait_for_subscribers(client, 2)
        # The connection is still usable: its subscriptions deliver and it answers pings.
        await events_of(client.gateway).publish(f"notices:{ASHA}", {"text": "still here"})
        assert {(await receive(ws))["id"], (await receive(ws))["id"]} == {"a", "b"}
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await asyncio.sleep(0.6)  # the bucket refills; the refused id may be used again
        await send(ws, {"id": "c", "type": "subscribe", "payload": {"query": NOTICES}})
        await wait_for_subscribers(client, 3)
    text = await metrics_text(client)
    assert sample(text, "karmayogi_rate_limited_total", kind="principal") == 1
    if "redis_url" in limiter:
        redis = Redis.from_url(limiter["redis_url"])
        try:
            assert await redis.exists(f"{limiter['redis_prefix']}rl:principal:{ASHA}") == 1
        finally:
            await redis.aclose()


async def test_http_and_subscriptions_draw_on_the_same_learner_bucket(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    client, url = await start(
        make_gateway, live_server, **limits(principal_burst=1, per_principal_per_minute=1)
    )
    await client.graphql("{ me { id } }", as_learner=ASHA)  # spends the learner's only token
    async with await signed_in(url) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}})
        refused = await receive(ws)
        assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_without_rate_limits_nothing_is_refused(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    settings = {
        "rate_limits": {
            "enabled": False,
            "address_burst": 1,
            "per_address_per_minute": 1,
            "principal_burst": 1,
        }
    }
    client, url = await start(make_gateway, live_server, **settings)
    for _ in range(3):
        async with await signed_in(url) as ws:
            for op in ("a", "b"):
                await send(ws, {"id": op, "type": "subscribe", "payload": {"query": NOTICES}})
            await wait_for_subscribers(client, 2)
            await send(ws, {"id": "a", "type": "complete"})
            await send(ws, {"id": "b", "type": "complete"})
            await wait_for_subscribers(client, 0)
