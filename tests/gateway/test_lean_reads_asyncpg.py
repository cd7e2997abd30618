"""On PostgreSQL, lean reads run their compiled text straight on the asyncpg
connection (gateway/db/reads.py): every read a dashboard, a search and the
passbook's pages make gives the records SQLAlchemy's own execution gives, the
engine's statement events still fire, and a connection the server dropped
is invalidated rather than handed out again.

Always on PostgreSQL (a fresh database of its own), on both passes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.util import greenlet_spawn

from gateway.db import reads
from gateway.testing import MakeGateway, SqlCounter
from gateway.unavailable import unavailable
from tests.gateway.test_db_reconnect import drop_connections, postgres_url  # noqa: F401 - a fixture
from tests.plugins.passbook.helpers import ASHA, PROGRESS, enrol, qualified, resources

DASHBOARD = (Path(__file__).resolve().parents[2] / "bench" / "queries" / "dashboard.graphql").read_text()
OTHERS = [
    '{ courses(search: "office", first: 5) { totalCount edges { node { id title competencies { level } } } } }',
    '{ organisations(search: "Personnel") { id name children { id name } } }',
    "{ me { enrolments(first: 5) { edges { node { id resourceProgress { percent } attempts { attempt } "
    "missingForCompletion } } } } }",
]


async def test_every_read_gives_what_sqlalchemy_gives(
    make_gateway: MakeGateway,
    postgres_url: str,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
    sql_counter: SqlCounter,
) -> None:
    client = await make_gateway(database_url=postgres_url)
    enrolment = await enrol(client)
    first = resources("office-procedure")[0]["id"]
    await client.graphql(
        PROGRESS, {"e": enrolment, "r": qualified("istm:office-procedure", first), "p": 40}, as_learner=ASHA
    )
    seen: list[tuple[Any, reads.Query[Any], dict[str, Any]]] = []
    fast = reads.fetch_on

    async def recording(engine: Any, query: reads.Query[Any], params: Mapping[str, Any]) -> list[Any]:
        seen.append((engine, query, dict(params)))
        return await fast(engine, query, params)

    monkeypatch.setattr(reads, "fetch_on", recording)
    with sql_counter as counter:
        for query in [DASHBOARD, *OTHERS]:
            body = await client.graphql(query, as_learner=ASHA)
            assert "errors" not in body, body
    monkeypatch.undo()
    assert seen, "no lean read was made"
    assert counter.count >= len(seen)  # the asyncpg path fires the engine's statement events
    checked = 0
    for engine, query, params in seen:
        assert reads._prepared(engine, query) is not None, query.statement  # the fast path ran
        through_sqlalchemy = await greenlet_spawn(reads._run, engine, query, params)
        through_asyncpg = await reads.fetch_on(engine, query, params)
        assert through_asyncpg == through_sqlalchemy, query.statement
        assert [type(v) for r in through_asyncpg for v in r] == [
            type(v) for r in through_sqlalchemy for v in r
        ]
        checked += bool(through_asyncpg)
    assert checked >= 5  # reads that returned rows, not only empty ones


async def test_a_dropped_connection_is_reported_and_not_handed_out_again(
    make_gateway: MakeGateway,
    postgres_url: str,  # noqa: F811 - the fixture
) -> None:
    from gateway.directory.loaders import LEARNERS

    client = await make_gateway(database_url=postgres_url)
    engine = client.gateway.db.lean_primary
    assert [r.id for r in await reads.fetch_on(engine, LEARNERS, {reads.KEYS: [ASHA]})] == [ASHA]
    assert await drop_connections(postgres_url) >= 1
    # The connection in the pool is gone: found closed before use, it is
    # replaced at once; met during the read, it is reported as the database
    # being unavailable (a 503 and a retry), never with the driver's words.
    for _ in range(3):
        try:
            found = await reads.fetch_on(engine, LEARNERS, {reads.KEYS: [ASHA]})
        except Exception as exc:
            assert unavailable(exc) == "DATABASE_UNAVAILABLE", repr(exc)
        else:
            assert [r.id for r in found] == [ASHA]
    # and the pool hands out live connections afterwards
    assert [r.id for r in await reads.fetch_on(engine, LEARNERS, {reads.KEYS: [ASHA]})] == [ASHA]


async def test_parked_connections_stay_few_fresh_and_go_back_on_dispose(
    make_gateway: MakeGateway,
    postgres_url: str,  # noqa: F811 - the fixture
) -> None:
    import asyncio

    from gateway.directory.loaders import LEARNERS

    client = await make_gateway(database_url=postgres_url)
    db = client.gateway.db
    engine, pool = db.lean_primary, db.engine.pool
    await reads.release_parked(pool)

    async def read() -> None:
        assert [r.id for r in await reads.fetch_on(engine, LEARNERS, {reads.KEYS: [ASHA]})] == [ASHA]

    # Many reads at once: the pool lends what they need, at most a quarter of
    # it stays parked for the next reads, the rest is checked back in.
    await asyncio.gather(*(read() for _ in range(3 * pool.size())))
    parked = reads._parking(pool).idle
    assert 0 < len(parked) <= pool.size() // 4
    assert pool.checkedout() == len(parked)

    # A parked connection is reused as long as the pool would hand it out as
    # it is; once the pool is invalidated (a disconnect seen elsewhere), the
    # next read checks it back in for the pool to renew instead of using it.
    kept = parked[-1]
    await read()
    assert parked[-1] is kept
    pool._invalidate_time = kept._connection_record.starttime + 1  # what a disconnect does
    await read()
    assert kept not in parked and kept.dbapi_connection is None  # checked in
    # Disposing the database gives every parked connection back first.
    await db.dispose()
    assert not parked and pool.checkedout() == 0


async def test_no_connection_is_parked_when_the_pool_pings(
    make_gateway: MakeGateway,
    postgres_url: str,  # noqa: F811 - the fixture
) -> None:
    from gateway.directory.loaders import LEARNERS

    client = await make_gateway(database_url=postgres_url, database_pre_ping=True)
    db = client.gateway.db
    for _ in range(3):
        assert [r.id for r in await reads.fetch_on(db.lean_primary, LEARNERS, {reads.KEYS: [ASHA]})] == [ASHA]
    # every read had a connection the pool pinged, and gave it back
    assert not reads._parking(db.engine.pool).idle and db.engine.pool.checkedout() == 0
