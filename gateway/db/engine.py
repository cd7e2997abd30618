"""The async engine and session factory, built per app from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

from gateway.db.reads import release_parked
from schema.errors import StartupError


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy understands; show nothing secret
        return "<unparseable database URL>"


class Database:
    """The engine and session factories, built per app from settings.

    PostgreSQL: one pooled engine; writers lock the rows they change. With
    ``read_url`` (a hot standby, or a pooler in front of several), a second
    pooled engine that :meth:`gateway.context.RequestContext.db` uses for the
    reads of query operations (see ``read_sessionmaker``).
    SQLite: a small read pool (aiosqlite runs a thread per connection) and a
    separate one-connection write engine whose transactions start with
    ``BEGIN IMMEDIATE``, so concurrent writers queue instead of failing with
    "database is locked" when a read lock cannot be upgraded.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int | None = None,
        max_overflow: int | None = None,
        echo: bool = False,
        read_url: str | None = None,
        pre_ping: bool = False,
    ) -> None:
        self.url = url
        self.read_url = read_url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if read_url is not None:
            try:
                driver = make_url(read_url).drivername
            except Exception:
                driver = None
            if self.dialect != "postgresql":
                raise StartupError(
                    "database_read_url (read replicas) needs PostgreSQL as database_url; unset it for SQLite."
                )
            if driver != "postgresql+asyncpg":
                raise StartupError(
                    "database_read_url must be a PostgreSQL URL with the asyncpg driver, "
                    "postgresql+asyncpg://user@host:5432/database"
                )
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            memory = parsed.database in (None, "", ":memory:")
            if memory:
                raise StartupError(
                    "An in-memory SQLite database is not shared between connections; "
                    "use a file path such as sqlite+aiosqlite:///./karmayogi.db"
                )
            kwargs.update(
                poolclass=AsyncAdaptedQueuePool,
                pool_size=pool_size or 2,
                max_overflow=max_overflow if max_overflow is not None else 0,
                connect_args={"timeout": 30},
            )
        else:
            # A pool sized for the peak and no overflow: an overflow connection
            # is opened for a burst and closed when it is returned, and opening
            # one (TLS attempt, authentication) costs more than waiting for a
            # pooled one. Connections are renewed every half hour.
            kwargs.update(
                pool_size=pool_size or 20,
                max_overflow=max_overflow if max_overflow is not None else 0,
                pool_pre_ping=pre_ping,
                pool_recycle=1800,
            )
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self.write_engine: AsyncEngine = self.engine
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            self.write_engine = create_async_engine(
                url,
                echo=echo,
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                connect_args={"timeout": 30},
            )
            event.listen(self.write_engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.write_engine.sync_engine, "connect", _sqlite_manual_transactions)
            event.listen(self.write_engine.sync_engine, "begin", _sqlite_begin_immediate)
        self.read_engine: AsyncEngine = self.engine
        if read_url is not None:
            self.read_engine = create_async_engine(read_url, **kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessionmaker = async_sessionmaker(self.write_engine, expire_on_commit=False)
        # The reads of query operations: on the replica when there is one, and on
        # PostgreSQL outside a transaction, so a batch is one round trip instead
        # of three (BEGIN, SELECT, ROLLBACK); under READ COMMITTED each statement
        # sees its own snapshot either way.
        read_engine = self.read_engine
        if self.dialect == "postgresql":
            read_engine = read_engine.execution_options(isolation_level="AUTOCOMMIT")
        self.read_sessionmaker = async_sessionmaker(read_engine, expire_on_commit=False)
        # The synchronous engines behind gateway.db.reads.fetch_rows (one
        # statement per read, so outside a transaction on PostgreSQL too).
        primary = self.engine
        if self.dialect == "postgresql":
            primary = primary.execution_options(isolation_level="AUTOCOMMIT")
        self.lean_primary: Engine = primary.sync_engine
        self.lean_replica: Engine = read_engine.sync_engine

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        return tuple(dict.fromkeys((self.engine, self.write_engine, self.read_engine)))

    async def check_reachable(self) -> None:
        """Stop start-up, showing the masked URL, if a database can't be reached."""
        targets = [(self.engine, self.url, "the database")]
        if self.read_engine is not self.engine and self.read_url is not None:
            targets.append((self.read_engine, self.read_url, "the read replica"))
        for engine, url, what in targets:
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            except Exception as exc:
                await self.dispose()  # close what the other engines opened
                raise StartupError(
                    f"Cannot reach {what} at {mask_url(url)}: {type(exc).__name__}: {_first_line(exc)}"
                ) from exc

    async def ping(self) -> bool:
        """Whether the database (and the read replica, if any) answers."""
        try:
            for engine in dict.fromkeys((self.engine, self.read_engine)):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        for engine in self.engines:
            await release_parked(engine.pool)
            await engine.dispose()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_manual_transactions(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event decide how a transaction starts.
    dbapi_conn.isolation_level = None


def _sqlite_begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")
