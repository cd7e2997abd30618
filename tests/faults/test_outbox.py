"""No event lost to a Redis outage: a certificate issued while Redis is down
reaches a subscriber connected across the outage once Redis is back, exactly
once, and the outbox is empty afterwards (issue 16)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from gateway.plugin_testing import LiveServer
from gateway.private_services import PrivateRedis
from gateway.testing import GatewayClient, MakeGateway
from plugins.subscriptions.models import OutboxRow
from plugins.subscriptions.plugin import events_of
from tests.plugins.passbook.helpers import ASHA, enrol
from tests.plugins.passbook.test_live import (
    CERTIFICATES,
    complete_course,
    message,
    subscribed,
    until_subscribed,
)


async def outbox_rows(worker: GatewayClient) -> int:
    async with worker.gateway.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxRow)) or 0)


async def test_a_certificate_issued_while_redis_is_down_reaches_the_subscriber_once(
    make_gateway: MakeGateway, live_server: LiveServer, private_redis: PrivateRedis
) -> None:
    worker_a = await make_gateway(redis_url=private_redis.url)
    worker_b = await make_gateway(redis_url=private_redis.url)
    url = (await live_server(worker_a)).replace("http://", "ws://") + "/graphql"
    asha = await subscribed(url, ASHA, {"cert": CERTIFICATES})
    await until_subscribed(worker_a, 1)
    enrolment = await enrol(worker_b)

    private_redis.stop()
    done = await complete_course(worker_b, enrolment)  # acknowledged while Redis is away
    assert await outbox_rows(worker_b) >= 1  # kept, in the transaction of the change
    private_redis.start()  # empty, as after a crash

    got = await message(asha, wait=30)  # the relay retries; the listener resubscribes
    assert got["id"] == "cert"
    assert got["payload"]["data"]["certificateIssued"]["id"] == done["certificate"]["id"]
    bus = events_of(worker_b.gateway)
    await bus.outbox.drain()  # type: ignore[attr-defined]
    async with worker_b.gateway.db.sessionmaker() as session:
        waiting = select(func.count()).select_from(OutboxRow).where(OutboxRow.published_at.is_(None))
        assert await session.scalar(waiting) == 0
    await asha.send(json.dumps({"id": "ping", "type": "ping"}))
    assert (await message(asha))["type"] == "pong"  # nothing else arrived first: delivered once
    await asha.close()
