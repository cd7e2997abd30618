"""IGNOU's completions webhook: signed, fresh, idempotent, handed to the passbook."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from gateway.hookspecs import hookimpl
from gateway.host import Gateway
from gateway.testing import GatewayClient, MakeGateway
from plugins.content_ignou.models import IgnouCompletionRow
from plugins.content_ignou.webhook import sign
from schema.passbook import ExternalCompletion

SECRET = "a-test-secret-shared-with-ignou-0123456789"
PATH = "/providers/ignou/completions"


def event(**changes: Any) -> dict[str, Any]:
    body = {
        "eventId": "evt-0001",
        "courseId": "cit",
        "learnerEmail": "asha.verma@dopt.gov.in",
        "completedAt": "2026-11-20T15:00:00+05:30",
        "scorePercent": 78,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def post(
    client: GatewayClient,
    body: bytes | dict[str, Any],
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> Any:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "content-type": "application/json",
        "x-ignou-timestamp": ts,
        "x-ignou-signature": signature if signature is not None else sign(secret, ts, raw),
    }
    return await client.http.post(PATH, content=raw, headers=headers)


async def stored(client: GatewayClient) -> int:
    async with client.gateway.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(IgnouCompletionRow)) or 0)


class Recorder:
    name = "recording-passbook"

    def __init__(self) -> None:
        self.received: list[ExternalCompletion] = []

    async def enrolled_course_ids(self, learner_id: str, course_ids: Sequence[str]) -> set[str]:
        return set()

    async def record_external_completion(self, completion: ExternalCompletion) -> None:
        self.received.append(completion)


class RecorderPlugin:
    def __init__(self) -> None:
        self.backend = Recorder()

    @hookimpl
    def register_passbook_backend(self, gateway: Gateway) -> Recorder:
        return self.backend


@pytest.fixture
async def hooked(make_gateway: MakeGateway) -> tuple[GatewayClient, Recorder]:
    plugin = RecorderPlugin()
    client = await make_gateway(
        extra_plugins=[("recorder", plugin)],
        plugins_block=["passbook"],
        plugins={"content_ignou": {"webhook_secret": SECRET}},
    )
    return client, plugin.backend


async def test_a_signed_completion_reaches_the_passbook_once(
    hooked: tuple[GatewayClient, Recorder],
) -> None:
    client, backend = hooked
    first = await post(client, event())
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    again = await post(client, event())
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert [(c.event_id, c.course_id, c.learner_id, c.score_percent) for c in backend.received] == [
        ("evt-0001", "ignou:cit", "learner:demo-asha", 78)
    ]
    changed = await post(client, event(scorePercent=99))
    assert changed.status_code == 409
    assert await stored(client) == 1


@pytest.mark.parametrize(
    ("body", "kwargs", "status"),
    [
        (event(), {"signature": "sha256=" + "0" * 64}, 401),
        (event(), {"secret": "somebody-else's-secret"}, 401),
        (event(), {"signature": ""}, 401),
        (event(), {"age": 301}, 401),
        (event(), {"age": -400}, 401),
        (b"{not json", {}, 400),
        (event(completedAt="2026-11-20T15:00:00"), {}, 400),
        (event(courseId="no-such-programme"), {}, 422),
        (event(courseId="istm:rti-act"), {}, 422),
        (event(learnerEmail="stranger@example.com"), {}, 422),
        (event(learnerEmail=None, learnerId="learner:nobody"), {}, 422),
    ],
)
async def test_bad_completions_are_refused_and_store_nothing(
    hooked: tuple[GatewayClient, Recorder], body: Any, kwargs: dict[str, Any], status: int
) -> None:
    client, backend = hooked
    if "age" in kwargs:
        kwargs = {"timestamp": int(time.time()) - kwargs["age"]}
    response = await post(client, body, **kwargs)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert await stored(client) == 0 and backend.received == []


async def test_completions_wait_for_a_passbook_and_are_replayed(
    make_gateway: MakeGateway, database_url: str
) -> None:
    settings = {"plugins": {"content_ignou": {"webhook_secret": SECRET}}}
    without = await make_gateway(plugins_block=["passbook"], **settings)
    response = await post(without, event(learnerEmail=None, learnerId="learner:demo-rahul"))
    assert response.status_code == 202 and response.json()["delivered"] is False
    await without.http.aclose()
    await without.gateway.stop()
    plugin = RecorderPlugin()
    later = await make_gateway(
        extra_plugins=[("recorder", plugin)],
        plugins_block=["passbook"],
        load_demo_data=False,
        **settings,
    )
    assert [c.learner_id for c in plugin.backend.received] == ["learner:demo-rahul"]
    async with later.gateway.db.sessionmaker() as session:
        row = await session.get(IgnouCompletionRow, "evt-0001")
    assert row is not None and row.delivered_at is not None


async def test_without_a_secret_the_webhook_takes_nothing(client: GatewayClient) -> None:
    response = await post(client, event())
    assert response.status_code == 503
    assert await stored(client) == 0
