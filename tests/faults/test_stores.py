"""Infrastructure failures are HTTP failures, and Redis holds up under load
(issue 16).

* PostgreSQL stopped (a cluster of the test's own): every operation, whether
  it meets the database before it runs (the session check) or inside a
  resolver, answers 503 with ``Retry-After`` and ``DATABASE_UNAVAILABLE``,
  never 200 with an error and never a driver message; ``/readyz`` is 503 at
  once and 200 again when the database is back, and so are the operations.
* 200 concurrent signed-in requests on one worker with rate limits on (three
  Redis calls each) and the default pool (100 connections, waits up to 10 s): every one answered, no Redis
  fallback taken (redis-py's default pool refused them: "Too many connections").
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.private_services import PrivatePostgres, PrivateRedis
from gateway.security.services import services_of
from gateway.testing import GatewayClient, MakeGateway
from tests.identity.helpers import bearer
from tests.plugins.passbook.helpers import ASHA

ME = {"query": "{ me { id } }"}
ANONYMOUS = {"query": "{ competencies(area: DOMAIN) { id } }"}
ENROL = {"query": 'mutation { enrol(courseId: "istm:office-procedure") { id } }'}


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres(tmp_path / "pg")
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        cluster.remove()


async def refused(client: GatewayClient, body: dict[str, str], headers: dict[str, str]) -> None:
    answer = await client.http.post("/graphql", json=body, headers=headers)
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "1"
    errors = answer.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["DATABASE_UNAVAILABLE"]
    assert errors[0]["extensions"]["retryable"] is True
    assert "data" not in answer.json()
    assert "asyncpg" not in answer.text and "connect" not in answer.text.lower()


async def test_a_stopped_database_answers_503_naming_it_and_recovers(
    make_gateway: MakeGateway, private_postgres: PrivatePostgres
) -> None:
    client = await make_gateway(database_url=private_postgres.createdb("faults"))
    token = await client.session_token(ASHA)
    signed_in = bearer(token)
    assert (await client.http.post("/graphql", json=ME, headers=signed_in)).status_code == 200
    private_postgres.stop()

    assert (await client.http.get("/readyz")).status_code == 503
    await refused(client, ME, signed_in)  # before the operation: the session check
    await refused(client, ANONYMOUS, {})  # inside a resolver
    await refused(client, ENROL, {"x-test-learner": ASHA})  # a mutation

    private_postgres.start()
    assert (await client.http.get("/readyz")).status_code == 200
    answer = await client.http.post("/graphql", json=ME, headers=signed_in)
    assert answer.status_code == 200 and answer.json()["data"]["me"]["id"] == ASHA


async def test_200_concurrent_requests_share_a_small_redis_pool_without_refusals(
    make_gateway: MakeGateway, private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    client = await make_gateway(
        redis_url=private_redis.url,
        rate_limits={
            "enabled": True,
            "per_address_per_minute": 100_000,
            "address_burst": 10_000,
            "per_principal_per_minute": 100_000,
            "principal_burst": 10_000,
        },
    )
    token = await client.session_token(ASHA)

    async def one() -> int:
        answer = await client.http.post("/graphql", json=ME, headers=bearer(token))
        return answer.status_code

    statuses = await asyncio.gather(*(one() for _ in range(200)))
    assert statuses.count(200) == 200
    services = services_of(client.gateway)
    assert services.link is not None and services.link.outages == 0
    metrics = (await client.http.get("/metrics")).text
    assert "karmayogi_redis_pool_max_connections 100.0" in metrics  # the default, per worker
    assert "karmayogi_redis_fallbacks_total{" not in metrics
    assert "Too many connections" not in caplog.text and "unavailable" not in caplog.text
