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

    LEARNERS = keyed(records.Learner, LearnerRow, "id")
    rows = await by_key(ctx, LEARNERS, ids)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import String, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeDecorator
from sqlalchemy.util import greenlet_spawn

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


async def fetch_rows(ctx: RequestContext, query: Query[R], params: Mapping[str, Any]) -> list[R]:
    """The rows of ``query`` with ``params``, as records: one statement."""
    return await greenlet_spawn(_run, _engine(ctx), query, params)


async def fetch_on(engine: Engine, query: Query[R], params: Mapping[str, Any]) -> list[R]:
    """:func:`fetch_rows` outside a request, on one of the ``Database``'s
    ``lean_*`` engines (a content provider reading its own tables)."""
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
