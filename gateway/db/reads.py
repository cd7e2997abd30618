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

    LEARNERS = keyed(LearnerRecord, LearnerRow, "id")
    rows = await by_key(ctx, LEARNERS, ids)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.util import greenlet_spawn

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql import Select

    from gateway.context import RequestContext


R = TypeVar("R", bound=tuple[Any, ...])
KEYS = "keys"
"""The name of the expanding bind parameter of :func:`keyed` statements."""


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


def keyed(record: type[R], model: Any, key: str, *order_by: Any) -> Query[R]:
    """``SELECT <record's columns> FROM model WHERE key IN (:keys) ORDER BY ...``."""
    statement = (
        select(*columns(record, model))
        .where(getattr(model, key).in_(bindparam(KEYS, expanding=True)))
        .order_by(*order_by)
    )
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


__all__ = ["KEYS", "Query", "by_key", "columns", "fetch_on", "fetch_rows", "grouped_by", "keyed"]
