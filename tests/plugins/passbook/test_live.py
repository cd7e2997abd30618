"""Live dashboards: enrolmentUpdated and certificateIssued over graphql-transport-ws,
fed by the passbook's committed writes (a real uvicorn server, a real websocket)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from gateway.plugin_testing import LiveServer
from gateway.testing import GatewayClient, MakeGateway
from plugins.subscriptions.plugin import events_of
from tests.plugins.passbook.helpers import ASHA, COURSE, FEEDBACK, QUIZ, RAHUL, answers, enrol, finish_viewing

CERTIFICATES = "subscription { certificateIssued { id learnerName course { id } } }"
ENROLMENTS = "subscription { enrolmentUpdated { id status progressPercent } }"


async def message(ws: ClientConnection, wait: float = 10.0) -> dict[str, Any]:
    received: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return received


async def subscribed(url: str, learner: str, queries: dict[str, str]) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"X-Test-Learner": learner}}))
    assert await message(ws) == {"type": "connection_ack"}
    for op, query in queries.items():
        await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": {"query": query}}))
    return ws


async def until_subscribed(client: GatewayClient, count: int) -> None:
    for _ in range(500):
        if events_of(client.gateway).subscriber_count() == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("subscriptions did not start")


async def complete_course(client: GatewayClient, enrolment: str) -> dict[str, Any]:
    await finish_viewing(client, enrolment)
    quiz_resource, right = answers("office-procedure", right=True)
    await client.graphql(QUIZ, {"e": enrolment, "r": quiz_resource, "a": right}, as_learner=ASHA)
    body = await client.graphql(FEEDBACK, {"e": enrolment, "rating": 5, "comment": "Good"}, as_learner=ASHA)
    done: dict[str, Any] = body["data"]["submitFeedback"]
    return done


async def test_certificate_issued_arrives_when_the_course_completes(
    make_gateway: MakeGateway, live_server: LiveServer
) -> None:
    client = await make_gateway()
    url = (await live_server(client)).replace("http://", "ws://") + "/graphql"
    asha = await subscribed(url, ASHA, {"cert": CERTIFICATES, "enrol": ENROLMENTS})
    rahul = await subscribed(url, RAHUL, {"cert": CERTIFICATES, "enrol": ENROLMENTS})
    await until_subscribed(client, 4)
    enrolment = await enrol(client)
    first = await message(asha)
    assert first["id"] == "enrol"
    assert first["payload"]["data"]["enrolmentUpdated"] == {
        "id": enrolment,
        "status": "NOT_STARTED",
        "progressPercent": 0,
    }
    done = await complete_course(client, enrolment)
    assert done["status"] == "COMPLETED"
    updates: list[dict[str, Any]] = []
    certificate = None
    while certificate is None:
        got = await message(asha)
        assert got["type"] == "next", got
        if got["id"] == "cert":
            certificate = got["payload"]["data"]["certificateIssued"]
        else:
            updates.append(got["payload"]["data"]["enrolmentUpdated"])
    assert certificate == {
        "id": done["certificate"]["id"],
        "learnerName": "Asha Verma",
        "course": {"id": COURSE},
    }
    progress = [u["progressPercent"] for u in updates]
    assert progress == sorted(progress) and updates and all(u["id"] == enrolment for u in updates)
    assert updates[-1]["status"] == "COMPLETED"  # announced with the certificate, before it
    # Rahul's subscriptions saw nothing of Asha's course
    try:
        leaked = await message(rahul, wait=0.5)
    except TimeoutError:
        leaked = None
    assert leaked is None
    await asha.close()
    await rahul.close()
    await until_subscribed(client, 0)


async def test_certificate_issued_reaches_a_subscriber_on_another_worker(
    make_gateway: MakeGateway, live_server: LiveServer, redis_url: str
) -> None:
    import uuid

    shared = {
        "redis_url": redis_url,
        "plugins": {"subscriptions": {"channel_prefix": f"karmayogi:test:{uuid.uuid4().hex}:"}},
    }
    worker_a = await make_gateway(**shared)
    worker_b = await make_gateway(**shared)
    url = (await live_server(worker_a)).replace("http://", "ws://") + "/graphql"
    asha = await subscribed(url, ASHA, {"cert": CERTIFICATES})
    await until_subscribed(worker_a, 1)
    done = await complete_course(worker_b, await enrol(worker_b))  # every write on worker B
    got = await message(asha)
    assert got["id"] == "cert"
    assert got["payload"]["data"]["certificateIssued"]["id"] == done["certificate"]["id"]
    await asha.close()
