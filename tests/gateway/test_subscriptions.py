"""Subscriptions over graphql-transport-ws against a real uvicorn server:
authentication on connection, per-connection limit, clean-up on disconnect,
protocol close codes and delivery across workers through Redis pub/sub.

The event source is a test plugin (``Subscription.notices``) fed through the
gateway's event bus, the same path the passbook's ``certificateIssued`` uses.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import strawberry
from strawberry import Info
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from gateway import hookimpl
from gateway.context import context_of
from gateway.plugin_testing import LiveServer
from gateway.testing import GatewayClient, MakeGateway
from plugins.subscriptions.plugin import events_of
from schema.contribution import SchemaContribution

PROTOCOL = "graphql-transport-ws"
NOTICES = "subscription { notices { text } }"


@strawberry.type
class Notice:
    text: str


async def notices(info: Info) -> AsyncGenerator[Notice, None]:
    ctx = context_of(info)
    principal = ctx.require_principal()
    async with events_of(ctx.gateway).subscribe(f"notices:{principal.learner_id}") as events:
        async for event in events:
            yield Notice(text=event["text"])


class NoticePlugin:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        return SchemaContribution(types=[Notice], subscription=[strawberry.subscription(resolver=notices)])


PLUGINS = [("test_notices", NoticePlugin())]


async def start(
    make_gateway: MakeGateway, live_server: LiveServer, **settings: Any
) -> tuple[GatewayClient, str]:
    client = await make_gateway(extra_plugins=PLUGINS, **settings)
    base = await live_server(client)
    return client, base.replace("http://", "ws://") + "/graphql"


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection, wait: float = 5.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return message


async def signed_in(url: str, learner: str = "learner:demo-asha") -> ClientConnection:
    ws = await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await send(ws, {"type": "connection_init", "payload": {"X-Test-Learner": learner}})
    assert await receive(ws) == {"type": "connection_ack"}
    return ws


async def close_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def wait_for_subscribers(client: GatewayClient, count: int) -> None:
    bus = events_of(client.gateway)
    for _ in range(500):
        if bus.subscriber_count() == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} subscribers, have {bus.subscriber_count()}")


async def test_signed_in_learner_receives_only_their_events(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    client, url = await start(make_gateway, live_server)
    async with await signed_in(url) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}})
        await wait_for_subscribers(client, 1)
        bus = events_of(client.gateway)
        await bus.publish("notices:learner:demo-rahul", {"text": "for Rahul"})
        await bus.publish("notices:learner:demo-asha", {"text": "Certificate ready"})
        assert await receive(ws) == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"notices": {"text": "Certificate ready"}}},
        }
        await send(ws, {"id": "1", "type": "complete"})
        await wait_for_subscribers(client, 0)


async def test_identity_from_handshake_headers(make_gateway: MakeGateway, live_server: LiveServer) -> None:
    _, url = await start(make_gateway, live_server)
    headers = {"X-Test-Learner": "learner:demo-asha"}
    async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers) as ws:  # type: ignore[list-item]
        await send(ws, {"type": "connection_init"})
        assert await receive(ws) == {"type": "connection_ack"}


async def test_unauthenticated_connection_is_closed_4403(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    _, url = await start(make_gateway, live_server)
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await send(ws, {"type": "connection_init", "payload": {"X-Test-Learner": "nobody@example.com"}})
        assert await close_code(ws) == 4403


async def test_subscriptions_beyond_the_limit_are_refused(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    client, url = await start(make_gateway, live_server, plugins={"subscriptions": {"max_per_connection": 2}})
    async with await signed_in(url) as ws:
        for op in ("a", "b"):
            await send(ws, {"id": op, "type": "subscribe", "payload": {"query": NOTICES}})
        await wait_for_subscribers(client, 2)
        await send(ws, {"id": "c", "type": "subscribe", "payload": {"query": NOTICES}})
        refused = await receive(ws)
        assert refused["type"] == "error" and refused["id"] == "c"
        assert refused["payload"][0]["extensions"]["code"] == "OPERATION_LIMIT"
        await send(ws, {"id": "a", "type": "complete"})
        await wait_for_subscribers(client, 1)
        await send(ws, {"id": "c", "type": "subscribe", "payload": {"query": NOTICES}})
        await wait_for_subscribers(client, 2)
        await events_of(client.gateway).publish("notices:learner:demo-asha", {"text": "x"})
        ids = {(await receive(ws))["id"], (await receive(ws))["id"]}
        assert ids == {"b", "c"}


async def test_disconnect_cleans_up(make_gateway: MakeGateway, live_server: LiveServer) -> None:
    client, url = await start(make_gateway, live_server)
    ws = await signed_in(url)
    for op in ("1", "2", "3"):
        await send(ws, {"id": op, "type": "subscribe", "payload": {"query": NOTICES}})
    await wait_for_subscribers(client, 3)
    await ws.close()
    await wait_for_subscribers(client, 0)


async def test_errors_reach_the_client_with_codes(make_gateway: MakeGateway, live_server: LiveServer) -> None:
    _, url = await start(make_gateway, live_server)
    async with await signed_in(url) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": "subscription { nothing }"}})
        error = await receive(ws)
        assert error["type"] == "error" and error["id"] == "1"
        assert error["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "nothing" in error["payload"][0]["message"]


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"id": "1", "type": "subscribe", "payload": {"query": NOTICES}}], 4401),
        (["not json"], 4400),
        (
            [
                {"type": "connection_init", "payload": {"X-Test-Learner": "learner:demo-asha"}},
                {"type": "connection_init"},
            ],
            4429,
        ),
        (
            [
                {"type": "connection_init", "payload": {"X-Test-Learner": "learner:demo-asha"}},
                {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}},
                {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}},
            ],
            4409,
        ),
    ],
    ids=["subscribe-before-init", "bad-json", "second-init", "duplicate-id"],
)
async def test_protocol_violations_close_with_the_protocol_code(
    make_gateway: MakeGateway, live_server: LiveServer, messages: list[Any], code: int
) -> None:
    _, url = await start(make_gateway, live_server)
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        for message in messages:
            await ws.send(message if isinstance(message, str) else json.dumps(message))
        while True:
            try:
                reply = await asyncio.wait_for(ws.recv(), 5)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == code
                break
            assert json.loads(reply)["type"] == "connection_ack"


async def test_no_connection_init_in_time_closes_4408(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    _, url = await start(
        make_gateway, live_server, plugins={"subscriptions": {"connection_init_timeout_seconds": 0.2}}
    )
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        assert await close_code(ws) == 4408


async def test_missing_subprotocol_closes_4406(make_gateway: MakeGateway, live_server: LiveServer) -> None:
    _, url = await start(make_gateway, live_server)
    async with connect(url) as ws:
        assert await close_code(ws) == 4406


async def test_foreign_browser_origin_is_refused(make_gateway: MakeGateway, live_server: LiveServer) -> None:
    _, url = await start(make_gateway, live_server)
    with pytest.raises(InvalidStatus) as refused:
        await connect(url, subprotocols=[PROTOCOL], origin="https://evil.example")  # type: ignore[list-item,arg-type]
    assert refused.value.response.status_code == 403
    async with connect(url, subprotocols=[PROTOCOL], origin="http://127.0.0.1:8000") as ws:  # type: ignore[list-item,arg-type]
        await send(ws, {"type": "connection_init", "payload": {"X-Test-Learner": "learner:demo-asha"}})
        assert await receive(ws) == {"type": "connection_ack"}


async def test_events_cross_workers_through_redis(
    make_gateway: MakeGateway, live_server: LiveServer, redis_url: str
) -> None:
    prefix = f"karmayogi:test:{uuid.uuid4().hex}:"
    settings = {"redis_url": redis_url, "plugins": {"subscriptions": {"channel_prefix": prefix}}}
    worker_a, url_a = await start(make_gateway, live_server, **settings)
    worker_b = await make_gateway(extra_plugins=PLUGINS, **settings)
    async with await signed_in(url_a) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}})
        await wait_for_subscribers(worker_a, 1)
        await events_of(worker_b.gateway).publish("notices:learner:demo-asha", {"text": "from worker B"})
        message = await receive(ws)
        assert message["payload"]["data"]["notices"]["text"] == "from worker B"
        # published on A itself: delivered once (through Redis), not twice
        await events_of(worker_a.gateway).publish("notices:learner:demo-asha", {"text": "from worker A"})
        assert (await receive(ws))["payload"]["data"]["notices"]["text"] == "from worker A"
        with pytest.raises(TimeoutError):
            await receive(ws, wait=0.3)


async def test_forget_drops_cached_loads(client: GatewayClient) -> None:
    # Subscriptions resolve many events with one context: forget() makes each see fresh rows.
    from gateway.context import RequestContext
    from gateway.directory.loaders import learners_by_id
    from gateway.directory.models import LearnerRow

    ctx = RequestContext(gateway=client.gateway, request=None, principal=None, request_id="t")
    before = await ctx.load(learners_by_id, "learner:demo-asha")
    assert before is not None and before.designation == "Section Officer"
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        row = await session.get(LearnerRow, "learner:demo-asha")
        assert row is not None
        row.designation = "Under Secretary"
    cached = await ctx.load(learners_by_id, "learner:demo-asha")
    assert cached is not None and cached.designation == "Section Officer"
    ctx.forget()
    fresh = await ctx.load(learners_by_id, "learner:demo-asha")
    assert fresh is not None and fresh.designation == "Under Secretary"


async def test_gateway_session_token_in_connection_init(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    client, url = await start(make_gateway, live_server)
    token = await client.session_token("asha.verma@dopt.gov.in")
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await send(ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert await receive(ws) == {"type": "connection_ack"}
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}})
        await wait_for_subscribers(client, 1)
        await events_of(client.gateway).publish("notices:learner:demo-asha", {"text": "signed in by token"})
        assert (await receive(ws))["payload"]["data"]["notices"]["text"] == "signed in by token"
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await send(ws, {"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}})
        assert await close_code(ws) == 4403
