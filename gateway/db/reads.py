"""Lean reads for the hot paths: statements built once, run with the least
overhead SQLAlchemy allows, rows handed out as named tuples.

A :class:`Query` pairs a Core ``SELECT`` (built once, at import) with the
``NamedTuple`` its rows become; the record's fields name the columns, so a
read selects only what its callers use. :func:`fetch_rows` runs it on a pooled
connection: checkout, execute, fetch and checkin happen in one greenlet (one
switch into SQLAlchemy's synchronous core instead of one per step, as an
``AsyncSession`` or ``AsyncConnection`` would take), with no ORM session,
identity map or instance state. Engine events still fire, so statement counts,
tracing and type processing (``UTCDateTime``, booleans and JSON on SQLite)
are unchanged. Rows are plain tuples: detached by nature, readable after the
connection is back in the pool, and attribute access is a C-level getter.

Reads go where ``ctx.db()`` sends them (the replica for a query that has not
written; the primary otherwise), outside a transaction on PostgreSQL: every
lean read is one statement, which sees its own snapshot either way.

On PostgreSQL (asyncpg) a read skips SQLAlchemy's execution path altogether
(:class:`_Prepared`): the statement is compiled once per dialect to its SQL
text, the bind and result processors are looked up once, and each read checks
a connection out of the engine's own pool, runs the text on the asyncpg
connection (which keeps it as a prepared statement) and checks it back in;
about half the CPU of SQLAlchemy's path per statement (``bench/README.md``).
The engine's ``before_cursor_execute`` and ``after_cursor_execute`` events
fire as on the usual path (statement counts, tracing), a lost connection is
invalidated in the pool as SQLAlchemy would, and the driver's errors reach
the caller as they are (``gateway.unavailable`` names them).

    LEARNERS = keyed(records.Learner, LearnerRow, "id")
    rows = await by_key(ctx, LEARNERS, ids)
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import String, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeDecorator
from sqlalchemy.util import greenlet_spawn

from gateway.db.types import UTCDateTime

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect, Engine
    from sqlalchemy.sql import Select
    from sqlalchemy.sql.compiler import SQLCompiler
    from sqlalchemy.types import TypeEngine

    from gateway.context import RequestContext


R = TypeVar("R", bound=tuple[Any, ...])
KEYS = "keys"
"""The name of the keys' bind parameter in :func:`keyed` statements."""


class Query(Generic[R]):
    """A statement built once and the record type of its rows.

    ``key`` names the field that :func:`by_key` and :func:`grouped_by` match
    the caller's keys against.
    """

    __slots__ = ("fields", "key_index", "make", "statement")

    def __init__(self, record: type[R], statement: Select[*tuple[Any, ...]], key: str | None = None) -> None:
        self.statement = statement
        self.make: Callable[[Any], R] = record._make  # type: ignore[attr-defined]
        self.fields: tuple[str, ...] = record._fields  # type: ignore[attr-defined]
        self.key_index = self.fields.index(key) if key is not None else -1
        if len(statement.selected_columns) != len(self.fields):
            raise ValueError(
                f"{record.__name__}: the statement selects {len(statement.selected_columns)} "
                f"columns for {len(self.fields)} fields"
            )


def columns(record: type[tuple[Any, ...]], model: Any) -> list[Any]:
    """The model's columns named by the record's fields, in their order."""
    return [getattr(model, name) for name in record._fields]  # type: ignore[attr-defined]


class KeyList(TypeDecorator[Sequence[Any]]):
    """A list of keys as one bind parameter: an array on PostgreSQL, a JSON
    array on SQLite (see :func:`one_of`)."""

    impl = String
    cache_ok = True

    def __init__(self, item: TypeEngine[Any] | None = None) -> None:
        super().__init__()
        self.item = item if item is not None else String()

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(self.item))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Sequence[Any] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return list(value) if dialect.name == "postgresql" else json.dumps(list(value))


class one_of(FunctionElement[Any]):
    """``column`` equals one of the keys in the bind parameter ``name``.

    Unlike ``IN (:keys)`` with an expanding parameter, the SQL text does not
    depend on the number of keys: nothing is rendered per execution (the
    post-compile expansion costs more than the rest of SQLAlchemy's execution
    path for a short statement), and the database keeps one prepared statement.
    PostgreSQL: ``column = ANY($1::VARCHAR[])``; SQLite:
    ``column IN (SELECT value FROM json_each(?))``; both use the column's index.
    """

    type = NullType()
    name = "one_of"
    inherit_cache = True

    def __init__(self, column: Any, name: str) -> None:
        super().__init__(column, bindparam(name, type_=KeyList(column.type)))


@compiles(one_of, "postgresql")
def _one_of_postgresql(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = element.clauses
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(keys, **kw)})"


@compiles(one_of)
def _one_of_default(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = element.clauses
    return (
        f"{compiler.process(column, **kw)} IN (SELECT value FROM json_each({compiler.process(keys, **kw)}))"
    )


def keyed(record: type[R], model: Any, key: str, *order_by: Any) -> Query[R]:
    """``SELECT <record's columns> FROM model WHERE key IN <:keys> ORDER BY ...``."""
    statement = select(*columns(record, model)).where(one_of(getattr(model, key), KEYS)).order_by(*order_by)
    return Query(record, statement, key)


def _engine(ctx: RequestContext) -> Engine:
    database = ctx.gateway.db
    return database.lean_replica if ctx.replica_reads else database.lean_primary


def _run(engine: Engine, query: Query[R], params: Mapping[str, Any]) -> list[R]:
    make = query.make
    with engine.connect() as conn:
        return [make(row) for row in conn.execute(query.statement, params)]


class _EventConnection:
    """What engine event listeners read of a connection (``dialect``)."""

    __slots__ = ("dialect", "engine")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect


class _EventContext:
    """The execution context handed to engine event listeners (they may keep
    attributes on it between ``before_`` and ``after_cursor_execute``)."""


class _Prepared:
    """``query`` compiled for one asyncpg dialect: SQL text, binds in order
    with their processors, and result processors by column."""

    __slots__ = ("binds", "make", "results", "sql")

    def __init__(self, query: Query[Any], dialect: Dialect) -> None:
        compiled = query.statement.compile(dialect=dialect)
        if compiled.positiontup is None or compiled.post_compile_params or compiled.literal_execute_params:
            raise _NoFastPath
        processors = compiled._bind_processors
        self.sql: str = compiled.string
        self.binds: list[tuple[str, Any, Any]] = []  # (name, default value, processor)
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            default = bind.effective_value if not bind.required else _REQUIRED
            self.binds.append((name, default, processors.get(name)))
        results = []
        for index, column in enumerate(query.statement.selected_columns):
            if isinstance(column.type, UTCDateTime):
                continue  # asyncpg gives timestamptz as aware UTC datetimes already
            processor = column.type._cached_result_processor(dialect, None)
            if processor is not None:
                results.append((index, processor))
        self.results: list[tuple[int, Any]] = results
        self.make = query.make

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, default, processor in self.binds:
            value = params.get(name, default)
            if value is _REQUIRED:
                raise KeyError(f"no value for the bind parameter {name!r}")
            out.append(processor(value) if processor is not None else value)
        return out

    def rows(self, records: list[Any]) -> list[Any]:
        make = self.make
        if not self.results:
            return [make(record) for record in records]
        out = []
        for record in records:
            values = list(record)
            for index, processor in self.results:
                values[index] = processor(values[index])
            out.append(make(values))
        return out


class _NoFastPath(Exception):
    pass


_REQUIRED = object()
_PREPARED: dict[tuple[int, int], _Prepared | None] = {}


def _prepared(engine: Engine, query: Query[Any]) -> _Prepared | None:
    dialect = engine.dialect
    key = (id(query), id(dialect))
    try:
        return _PREPARED[key]
    except KeyError:
        pass
    prepared: _Prepared | None = None
    if dialect.name == "postgresql" and dialect.driver == "asyncpg":
        try:
            prepared = _Prepared(query, dialect)
        except _NoFastPath:
            prepared = None
    _PREPARED[key] = prepared
    return prepared


class _Parking:
    """Pooled connections the lean reads keep checked out between statements
    (at most ``limit``, a quarter of the pool, so the ORM's sessions keep the
    rest; none when the pool pings connections before handing them out):
    taking one and putting it back costs a list operation, where the pool's
    checkout and checkin (events, reset, queue) cost several times the
    statement's own Python work. Each is checked as the pool would check
    it before it is used again (recycling, invalidation, closed by the
    server); :func:`release_parked` gives them back when the engine is
    disposed."""

    __slots__ = ("idle", "limit")

    def __init__(self, limit: int) -> None:
        self.idle: list[Any] = []
        self.limit = limit


_PARKING = "_karmayogi_parking"


def _parking(pool: Any) -> _Parking:
    parking: _Parking | None = getattr(pool, _PARKING, None)
    if parking is None:
        size: Any = getattr(pool, "size", None)
        # None with pre-ping on: every read then gets a connection the pool has just pinged.
        count = size() if callable(size) else 0
        parking = _Parking(max(1, count // 4) if count > 1 and not pool._pre_ping else 0)
        setattr(pool, _PARKING, parking)
    return parking


async def release_parked(pool: Any) -> None:
    """Give the connections parked for lean reads back to ``pool`` (before it is disposed)."""
    parking: _Parking | None = getattr(pool, _PARKING, None)
    while parking is not None and parking.idle:
        await greenlet_spawn(parking.idle.pop().close)


async def _checkout(pool: Any) -> Any:
    """A connection of ``pool``: a parked one, else taken without a greenlet
    when the pool's next idle connection is ready to hand out as it is
    (SQLAlchemy's pool is synchronous code that awaits only to open a
    connection, to ping one or to wait for one), else through SQLAlchemy's
    greenlet."""
    idle = _parking(pool).idle
    while idle:
        pooled = idle.pop()
        if pooled._pool is pool and _fresh(pool, pooled._connection_record):
            return pooled
        await _checkin(pooled)
    if not pool._pre_ping and _next_ready(pool):
        try:
            return pool.connect()
        except MissingGreenlet:  # it needed to await after all: nothing was taken
            pass
    return await greenlet_spawn(pool.connect)


async def _checkin(pooled: Any) -> None:
    if getattr(pooled.dbapi_connection, "_transaction", True) is None:
        pooled.close()  # no transaction to roll back: checking in awaits nothing
    else:
        await greenlet_spawn(pooled.close)


async def _release(pool: Any, pooled: Any, healthy: bool) -> None:
    """Park ``pooled`` for the next lean read, or check it in."""
    parking = _parking(pool)
    fit = healthy and pooled._pool is pool and pooled.dbapi_connection is not None
    if fit and len(parking.idle) < parking.limit:
        parking.idle.append(pooled)
        return
    await _checkin(pooled)


def _next_ready(pool: Any) -> bool:
    """Whether the connection ``pool`` hands out next is ready as it is."""
    try:
        idle = pool._pool._queue._queue  # the asyncio.Queue's deque, next first
        return _fresh(pool, idle[0])
    except (AttributeError, IndexError):
        return False


def _fresh(pool: Any, record: Any) -> bool:
    """Whether a pool's connection record is open and due for no recycling or
    invalidation (the checks of SQLAlchemy's ``_ConnectionRecord.get_connection``)."""
    try:
        started = record.starttime
        if record.dbapi_connection is None:
            return False
        recycle = pool._recycle
        if recycle > -1 and time.time() - started > recycle:
            return False
        return bool(pool._invalidate_time <= started and record._soft_invalidate_time <= started)
    except AttributeError:
        return False


async def _on_pooled(engine: Engine, sql: str, arguments: list[Any]) -> list[Any]:
    """``sql`` on a connection of ``engine``'s pool; a connection the server
    closed is dropped with every connection of its time, as SQLAlchemy does
    on a disconnect (one found closed before use is replaced at once)."""
    pool = engine.pool
    for attempt in (1, 2):
        pooled = await _checkout(pool)
        healthy = False
        try:
            driver: Any = pooled.driver_connection
            if driver.is_closed():
                lost = ConnectionResetError("the database closed a pooled connection")
                pool._invalidate(pooled, lost)
                if attempt == 1:
                    continue
                raise lost
            try:
                records = list(await driver.fetch(sql, *arguments))
            except Exception as exc:
                from gateway.unavailable import unavailable

                if driver.is_closed() or unavailable(exc) is not None:
                    pool._invalidate(pooled, exc)
                    if unavailable(exc) is None:  # the driver's words for a closed connection
                        raise ConnectionResetError("the database closed the connection") from exc
                raise
            healthy = True
            return records
        finally:
            await _release(pool, pooled, healthy)
    raise AssertionError("unreachable")


async def _fetch_asyncpg(engine: Engine, prepared: _Prepared, params: Mapping[str, Any]) -> list[Any]:
    arguments = prepared.arguments(params)
    dispatch = engine.dispatch
    events = bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)
    connection = context = None
    if events:
        connection, context = _EventConnection(engine), _EventContext()
        dispatch.before_cursor_execute(connection, None, prepared.sql, arguments, context, False)
    records = await _on_pooled(engine, prepared.sql, arguments)
    if events:
        dispatch.after_cursor_execute(connection, None, prepared.sql, arguments, context, False)
    return prepared.rows(records)


async def fetch_rows(ctx: RequestContext, query: Query[R], params: Mapping[str, Any]) -> list[R]:
    """The rows of ``query`` with ``params``, as records: one statement."""
    return await fetch_on(_engine(ctx), query, params)


async def fetch_on(engine: Engine, query: Query[R], params: Mapping[str, Any]) -> list[R]:
    """:func:`fetch_rows` outside a request, on one of the ``Database``'s
    ``lean_*`` engines (a content provider reading its own tables)."""
    prepared = _prepared(engine, query)
    if prepared is not None:
        return await _fetch_asyncpg(engine, prepared, params)
    return await greenlet_spawn(_run, engine, query, params)


async def by_key(ctx: RequestContext, query: Query[R], keys: Sequence[Any]) -> list[R | None]:
    """One record per key (or ``None``), in the order of ``keys``."""
    rows = await fetch_rows(ctx, query, {KEYS: list(keys)})
    index = query.key_index
    found = {row[index]: row for row in rows}
    return [found.get(key) for key in keys]


async def grouped_by(ctx: RequestContext, query: Query[R], keys: Sequence[Any]) -> list[list[R]]:
    """Every record per key (possibly none), in the order of ``keys`` and, for
    each key, in the statement's order."""
    rows = await fetch_rows(ctx, query, {KEYS: list(keys)})
    index = query.key_index
    grouped: dict[Any, list[R]] = defaultdict(list)
    for row in rows:
        grouped[row[index]].append(row)
    return [grouped.get(key, []) for key in keys]


__all__ = [
    "KEYS",
    "KeyList",
    "Query",
    "by_key",
    "columns",
    "fetch_on",
    "fetch_rows",
    "grouped_by",
    "keyed",
    "one_of",
]
