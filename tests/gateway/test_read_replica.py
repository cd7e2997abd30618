"""``database_read_url``: the reads of query operations go to the read
replica; mutations (and every read after a write) go to the primary.

Always on PostgreSQL (the feature needs it), on both passes of the suite. The
"replica" is a second database that the test fills with the same schema and
demo data, then makes differ from the primary in one organisation's name, so
each answer shows which database it was read from.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from gateway.testing import MakeGateway, reset_postgres_async
from schema.errors import StartupError
from tests.plugins.passbook.helpers import ASHA

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
ORG = "{ me { organisation { name } } }"
PROFILE = """mutation { completeProfile(input: {organisationId: "org:dopt", designation: "Under Secretary"})
  { designation organisation { name } } }"""


async def fresh_database(base: str, name: str) -> str:
    url = make_url(base).set(database=name)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(admin)
    except OSError as exc:
        raise RuntimeError(f"PostgreSQL at {url.host}:{url.port} is unreachable ({exc}); start it.") from exc
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    rendered = url.render_as_string(hide_password=False)
    await reset_postgres_async(rendered)
    return rendered


async def rename_org(url: str, name: str) -> None:
    parsed = make_url(url).set(drivername="postgresql")
    conn = await asyncpg.connect(parsed.render_as_string(hide_password=False))
    try:
        await conn.execute("UPDATE organisations SET name = $1 WHERE id = 'org:dopt'", name)
    finally:
        await conn.close()


@pytest.fixture
async def primary_and_replica(make_gateway: MakeGateway) -> AsyncIterator[tuple[str, str]]:
    env = os.environ.get("KARMAYOGI_TEST_DATABASE_URL", "")
    base = env if env.startswith("postgresql") else DEFAULT_PG
    # each pass of the suite its own pair, so the two passes may run side by side
    stem = (
        make_url(base).database
        if env.startswith("postgresql")
        else "sqlite_pass" + os.environ.get("PYTEST_XDIST_WORKER", "")
    )
    primary = await fresh_database(base, f"{stem}_rr_primary")
    replica = await fresh_database(base, f"{stem}_rr_replica")
    for url in (primary, replica):  # the same schema and demo data in both
        await make_gateway(database_url=url)
    await rename_org(primary, "DoPT on the primary")
    await rename_org(replica, "DoPT on the replica")
    yield primary, replica


async def test_queries_read_the_replica_and_mutations_the_primary(
    make_gateway: MakeGateway, primary_and_replica: tuple[str, str]
) -> None:
    primary, replica = primary_and_replica
    client = await make_gateway(database_url=primary, database_read_url=replica, load_demo_data=False)

    query = await client.graphql(ORG, as_learner=ASHA)
    assert query["data"]["me"]["organisation"]["name"] == "DoPT on the replica"

    # The mutation writes to the primary and reads its answer back from there.
    mutation = await client.graphql(PROFILE, as_learner=ASHA)
    assert mutation["data"]["completeProfile"] == {
        "designation": "Under Secretary",
        "organisation": {"name": "DoPT on the primary"},
    }

    # Operators see the replica's pool beside the primary's.
    metrics = (await client.http.get("/metrics")).text
    assert 'karmayogi_db_pool_size{engine="replica"}' in metrics
    assert 'karmayogi_db_pool_size{engine="read"}' in metrics


async def test_without_a_read_url_everything_reads_the_primary(
    make_gateway: MakeGateway, primary_and_replica: tuple[str, str]
) -> None:
    primary, _ = primary_and_replica
    client = await make_gateway(database_url=primary, load_demo_data=False)
    query = await client.graphql(ORG, as_learner=ASHA)
    assert query["data"]["me"]["organisation"]["name"] == "DoPT on the primary"


async def test_an_unreachable_replica_stops_start_up_with_its_masked_url(
    make_gateway: MakeGateway, primary_and_replica: tuple[str, str]
) -> None:
    primary, _ = primary_and_replica
    unreachable = "postgresql+asyncpg://reader:s3cret@127.0.0.1:1/replica"
    with pytest.raises(StartupError) as refused:
        await make_gateway(database_url=primary, database_read_url=unreachable, load_demo_data=False)
    assert "read replica" in str(refused.value)
    assert "s3cret" not in str(refused.value) and "***" in str(refused.value)


async def test_sqlite_refuses_a_read_url(make_gateway: MakeGateway, tmp_path: object) -> None:
    with pytest.raises(StartupError, match="needs PostgreSQL"):
        await make_gateway(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/gateway.db",
            database_read_url="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        )


async def test_a_batch_reads_the_primary_after_its_mutation(
    make_gateway: MakeGateway, primary_and_replica: tuple[str, str]
) -> None:
    primary, replica = primary_and_replica
    client = await make_gateway(
        database_url=primary, database_read_url=replica, load_demo_data=False, limits={"batching": True}
    )
    mutation = {"query": PROFILE}
    query = {"query": "{ me { designation organisation { name } } }"}
    headers = {"x-test-learner": ASHA}

    before, write, after = (
        await client.http.post("/graphql", json=[query, mutation, query], headers=headers)
    ).json()
    # before the write, the query may read the replica; from the write on, the primary
    assert before["data"]["me"]["organisation"]["name"] == "DoPT on the replica"
    assert write["data"]["completeProfile"]["organisation"]["name"] == "DoPT on the primary"
    assert after["data"]["me"] == {
        "designation": "Under Secretary",
        "organisation": {"name": "DoPT on the primary"},
    }


@pytest.mark.parametrize(
    "read_url", ["postgres://reader@127.0.0.1/replica", "postgresql://reader@127.0.0.1/r"]
)
async def test_a_read_url_without_the_async_driver_is_named(
    make_gateway: MakeGateway, primary_and_replica: tuple[str, str], read_url: str
) -> None:
    primary, _ = primary_and_replica
    with pytest.raises(StartupError, match=r"postgresql\+asyncpg://"):
        await make_gateway(database_url=primary, database_read_url=read_url, load_demo_data=False)
