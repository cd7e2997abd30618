"""Pooled connections are not pinged before use (``database_pre_ping`` is off
by default): when PostgreSQL drops them (a restart, a failover), the request
that finds one fails once and the pool reconnects for the next. Met before
the operation runs (the session check), it is answered 503 with
``Retry-After``; met in a resolver, the field's error says ``retryable``.
Never a 500 or a stack trace. With ``database_pre_ping`` on, not even that request fails.

Always on PostgreSQL, on both passes of the suite (each its own database)."""

from __future__ import annotations

import os
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from gateway.testing import GatewayClient, MakeGateway, error_codes
from tests.gateway.test_read_replica import DEFAULT_PG, fresh_database
from tests.plugins.passbook.helpers import ASHA

QUERY = "{ me { id organisation { name } } }"


@pytest.fixture
async def postgres_url() -> str:
    env = os.environ.get("KARMAYOGI_TEST_DATABASE_URL", "")
    base = env if env.startswith("postgresql") else DEFAULT_PG
    stem = (
        make_url(base).database
        if env.startswith("postgresql")
        else "sqlite_pass" + os.environ.get("PYTEST_XDIST_WORKER", "")
    )
    return await fresh_database(base, f"{stem}_reconnect")


async def drop_connections(url: str) -> int:
    """What a database restart does to the gateway's pooled connections."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                parsed.database,
            )
        )
    finally:
        await conn.close()


async def ask(client: GatewayClient) -> dict[str, Any]:
    response = await client.http.post("/graphql", json={"query": QUERY}, headers={"x-test-learner": ASHA})
    body: dict[str, Any] = response.json()
    if response.status_code == 503:  # the request that met a dropped connection
        assert response.headers["retry-after"] == "1"
        assert body["errors"][0]["extensions"]["retryable"] is True
    else:
        assert response.status_code == 200
    return body


async def test_a_dropped_connection_fails_one_request_then_the_pool_reconnects(
    make_gateway: MakeGateway, postgres_url: str
) -> None:
    client = await make_gateway(database_url=postgres_url)
    assert "errors" not in await ask(client)
    assert await drop_connections(postgres_url) >= 1

    first = await ask(client)  # met a dropped connection: 503, retry
    assert set(error_codes(first)) == {"INTERNAL_SERVER_ERROR"}
    assert first["errors"][0]["extensions"]["retryable"] is True
    assert "Traceback" not in str(first)
    second = await ask(client)
    assert "errors" not in second
    assert second["data"] == {
        "me": {"id": ASHA, "organisation": {"name": "Department of Personnel and Training"}}
    }


async def test_with_pre_ping_no_request_sees_the_drop(make_gateway: MakeGateway, postgres_url: str) -> None:
    client = await make_gateway(database_url=postgres_url, database_pre_ping=True)
    assert "errors" not in await ask(client)
    assert await drop_connections(postgres_url) >= 1
    assert "errors" not in await ask(client)


async def test_a_resolver_meeting_a_dropped_connection_says_retry(
    make_gateway: MakeGateway, postgres_url: str
) -> None:
    client = await make_gateway(database_url=postgres_url)
    anonymous = {"query": "{ competencies(area: DOMAIN) { id } }"}  # nothing read before it runs
    assert "errors" not in (await client.http.post("/graphql", json=anonymous)).json()
    assert await drop_connections(postgres_url) >= 1

    met = await client.http.post("/graphql", json=anonymous)
    assert met.status_code == 200
    error = met.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["retryable"] is True
    again = (await client.http.post("/graphql", json=anonymous)).json()
    assert "errors" not in again and again["data"]["competencies"]
