"""Pooled connections are not pinged before use (``database_pre_ping`` is off
by default): when PostgreSQL drops them (a restart, a failover), the request
that finds one meets the loss and the pool drops every connection of that
time. A read (the session check, a query operation) then runs once more on a
fresh connection, so the client sees nothing; a mutation answers 503
``DATABASE_UNAVAILABLE`` with ``Retry-After`` (tests/faults). Never a driver
message, a 500 or a stack trace. With ``database_pre_ping`` on, nothing even
needs the second run.

Always on PostgreSQL, on both passes of the suite (each its own database)."""

from __future__ import annotations

import os
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from gateway.db.reads import release_parked
from gateway.testing import GatewayClient, MakeGateway
from tests.gateway.test_read_replica import DEFAULT_PG, fresh_database
from tests.plugins.passbook.helpers import ASHA

QUERY = "{ me { id organisation { name } } }"
ASHA_EMAIL = "asha.verma@dopt.gov.in"


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


async def ask(client: GatewayClient, who: str = ASHA) -> dict[str, Any]:
    response = await client.http.post("/graphql", json={"query": QUERY}, headers={"x-test-learner": who})
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    return body


async def retried(client: GatewayClient) -> float:
    metrics = (await client.http.get("/metrics")).text
    found = [line for line in metrics.splitlines() if line.startswith("karmayogi_graphql_retried_total")]
    return float(found[0].split()[-1])


async def test_a_dropped_connection_before_the_operation_is_retried(
    make_gateway: MakeGateway, postgres_url: str
) -> None:
    client = await make_gateway(database_url=postgres_url)
    assert "errors" not in await ask(client, ASHA_EMAIL)
    # Every connection back in the pool (none parked for lean reads), so the
    # first to be handed out after the drop goes to the ORM session.
    await release_parked(client.gateway.db.engine.pool)
    assert await drop_connections(postgres_url) >= 1

    # The session check (through an ORM session: the test sign-in by e-mail)
    # met a dropped connection; it only reads, so it ran again on a fresh one
    # (the pool dropped every connection of that time).
    first = await ask(client, ASHA_EMAIL)
    assert "errors" not in first
    assert first["data"] == {
        "me": {"id": ASHA, "organisation": {"name": "Department of Personnel and Training"}}
    }
    assert await retried(client) == 1


async def test_with_pre_ping_no_request_sees_the_drop(make_gateway: MakeGateway, postgres_url: str) -> None:
    client = await make_gateway(database_url=postgres_url, database_pre_ping=True)
    assert "errors" not in await ask(client)
    assert await drop_connections(postgres_url) >= 1
    assert "errors" not in await ask(client)
    assert await retried(client) == 0


async def test_a_query_meeting_a_dropped_connection_runs_again(
    make_gateway: MakeGateway, postgres_url: str
) -> None:
    client = await make_gateway(database_url=postgres_url)
    anonymous = {"query": "{ competencies(area: DOMAIN) { id } }"}  # nothing read before it runs
    assert "errors" not in (await client.http.post("/graphql", json=anonymous)).json()
    assert await drop_connections(postgres_url) >= 1

    met = await client.http.post("/graphql", json=anonymous)
    assert met.status_code == 200
    body = met.json()
    assert "errors" not in body and body["data"]["competencies"]
    # A lean read (gateway/db/reads.py) finds a connection the server closed
    # before using it and takes a fresh one; one that meets the loss during the
    # statement fails the operation, which then runs once more.
    assert await retried(client) in (0, 1)
