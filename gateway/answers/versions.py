"""Scope versions: which scopes a write changes, bumped in its own transaction,
and one read of every scope an answer needs.

Every session the gateway's :class:`gateway.db.Database` makes is a
:class:`TrackedSession`. While it flushes, the rows it adds, changes or
deletes are mapped to scopes (``schema.cache``: a ``learner_id`` column gives
``learner:<id>``, plus the scopes declared for the table, or ``global`` for a
table nobody declared); ``INSERT``/``UPDATE``/``DELETE`` statements run
through the session are mapped the same way from their table and values.
Just before the transaction commits, the scopes' versions are incremented in
it, so the new data and the new versions become visible together.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Table, bindparam, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from gateway.answers.models import EPOCH, ScopeVersionRow
from gateway.db.reads import KEYS, Query, fetch_on, one_of
from schema.cache import GLOBAL, TableScopes, learner_scope

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("gateway.answers")

PENDING = "answers.pending_scopes"
RULES = "answers.table_rules"
TABLE: Table = ScopeVersionRow.__table__  # type: ignore[assignment]
_LEARNER_PARAM = re.compile(r"^learner_id(_m\d+)?$")


class TableRules:
    """Which scopes a write to each table bumps (gathered from the kernel and
    ``register_cache_dependencies``)."""

    def __init__(self, tables: Mapping[str, TableScopes]) -> None:
        self.tables = dict(tables)
        self.tables.setdefault(TABLE.name, [])

    def for_row(self, session: Session, row: Any) -> set[str]:
        table = getattr(getattr(row, "__table__", None), "name", None)
        rule = self.tables.get(table) if table is not None else None
        scopes: set[str] = set()
        learner = getattr(row, "learner_id", None)
        if isinstance(learner, str):
            scopes.add(learner_scope(learner))
        if rule is None:
            if table != TABLE.name:
                scopes.add(GLOBAL)
        elif callable(rule):
            scopes.update(rule(session, row))
        else:
            scopes.update(rule)
        return scopes

    def for_statement(self, table: str, params: Mapping[str, Any], has_learner_column: bool) -> set[str]:
        """Scopes of a DML statement, from its table and bound values. A
        learner-owned table whose learner is not among the values (an
        ``UPDATE ... WHERE``), or a rule that needs the row, gives ``global``."""
        if table == TABLE.name:
            return set()
        rule = self.tables.get(table)
        if rule is None or callable(rule):
            return {GLOBAL}
        scopes = set(rule)
        learners = [v for k, v in params.items() if _LEARNER_PARAM.match(k) and isinstance(v, str)]
        scopes.update(learner_scope(learner) for learner in learners)
        if has_learner_column and not learners and not scopes:
            scopes.add(GLOBAL)
        return scopes


class TrackedSession(Session):
    """A session that records the scopes its writes change and bumps their
    versions before it commits (the rules come in ``info[RULES]``)."""


def _pending(session: Session) -> set[str]:
    found: set[str] | None = session.info.get(PENDING)
    if found is None:
        found = set()
        session.info[PENDING] = found
    return found


@event.listens_for(TrackedSession, "before_flush")
def _note_rows(session: Session, flush_context: Any, instances: Any) -> None:
    rules: TableRules | None = session.info.get(RULES)
    if rules is None:
        return
    pending = _pending(session)
    for row in (*session.new, *session.dirty, *session.deleted):
        if row in session.dirty and not session.is_modified(row, include_collections=False):
            continue
        pending.update(rules.for_row(session, row))


@event.listens_for(TrackedSession, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    rules: TableRules | None = state.session.info.get(RULES)
    if rules is None or not (state.is_insert or state.is_update or state.is_delete):
        return
    statement: Any = state.statement
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if name is None:
        _pending(state.session).add(GLOBAL)
        return
    if name == TABLE.name:  # the bump itself
        return
    params: dict[str, Any] = {}
    if state.is_insert:
        try:
            params = dict(statement.compile().params)
        except Exception:  # a statement we cannot compile alone: be safe
            params = {}
        rows = state.parameters
        if isinstance(rows, list):
            for row in rows:
                learner = row.get("learner_id") if isinstance(row, Mapping) else None
                if isinstance(learner, str):
                    params[f"learner_id_m{len(params)}"] = learner
        elif isinstance(rows, Mapping) and isinstance(rows.get("learner_id"), str):
            params["learner_id"] = rows["learner_id"]
    columns = getattr(table, "c", None)
    has_learner = columns is not None and "learner_id" in columns
    if not state.is_insert and has_learner:
        params = {}  # a WHERE on learner_id does not say which rows changed
    _pending(state.session).update(rules.for_statement(name, params, has_learner))


@event.listens_for(TrackedSession, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if session.info.get(RULES) is None:
        return
    session.flush()
    scopes = session.info.pop(PENDING, None)
    if scopes:
        bump(session, scopes)


@event.listens_for(TrackedSession, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


def _upsert(dialect: str) -> Any:
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(TABLE).values(scope=bindparam("scope"), version=1)
    return statement.on_conflict_do_update(
        index_elements=[TABLE.c.scope], set_={"version": TABLE.c.version + 1}
    )


def bump(session: Session, scopes: Iterable[str]) -> None:
    """Increment the versions of ``scopes`` in ``session``'s transaction (in a
    fixed order, so two writers never wait on each other's rows in a cycle)."""
    dialect = session.get_bind().dialect.name
    ordered = sorted(set(scopes))
    session.execute(_upsert(dialect), [{"scope": scope} for scope in ordered])


def mark(session: Any, scopes: Iterable[str]) -> None:
    """Bump ``scopes`` when ``session`` (sync or async) commits."""
    sync = getattr(session, "sync_session", session)
    _pending(sync).update(scopes)


class _Version(NamedTuple):
    scope: str
    version: int


_VERSIONS = Query(_Version, select(TABLE.c.scope, TABLE.c.version).where(one_of(TABLE.c.scope, KEYS)))


class VersionReader:
    """Reads the versions of a request's scopes in one statement, on the
    primary database (a replica could be behind a write that has answered),
    as a lean read (``gateway.db.reads``: on PostgreSQL a prepared statement
    on the pool's asyncpg connection), counted like every other statement."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.reads = 0  # statements run, for tests
        if engine.dialect.name == "postgresql":
            self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def read(self, scopes: Sequence[str]) -> dict[str, int] | None:
        """``{scope: version}`` (0 for a scope never bumped), or ``None`` when
        the table has no epoch row yet (one is made for the next request)."""
        wanted = [EPOCH, GLOBAL, *scopes]
        self.reads += 1
        rows = await fetch_on(self.engine.sync_engine, _VERSIONS, {KEYS: wanted})
        found = {scope: int(version) for scope, version in rows}
        if EPOCH not in found:
            await self.make_epoch()
            return None
        return {scope: found.get(scope, 0) for scope in wanted}

    async def make_epoch(self) -> None:
        maker = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = maker(TABLE).values(scope=EPOCH, version=secrets.randbits(62)).on_conflict_do_nothing()
        async with self.engine.begin() as conn:
            await conn.execute(statement)


def today_ist() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5, minutes=30)).date().isoformat()


def table_rules(declared: Iterable[Mapping[str, TableScopes]]) -> TableRules:
    merged: dict[str, TableScopes] = {}
    for tables in declared:
        merged.update(tables)
    return TableRules(merged)


def install(database: Any, rules: TableRules) -> None:
    """Make every session of ``database`` a :class:`TrackedSession` with ``rules``."""
    for maker in (database.sessionmaker, database.write_sessionmaker, database.read_sessionmaker):
        maker.configure(sync_session_class=TrackedSession, info={RULES: rules})
