"""The async engine and session factory, built per app from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

from gateway.errors import StartupError


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy understands; show nothing secret
        return "<unparseable database URL>"


class Database:
    """The engine and session factories, built per app from settings.

    PostgreSQL: one pooled engine; writers lock the rows they change.
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
    ) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
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
            kwargs.update(
                pool_size=pool_size or 10,
                max_overflow=max_overflow if max_overflow is not None else 10,
                pool_pre_ping=True,
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
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessionmaker = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        return (self.engine,) if self.write_engine is self.engine else (self.engine, self.write_engine)

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    async def check_reachable(self) -> None:
        """Stop start-up, showing the masked URL, if the database can't be reached."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise StartupError(
                f"Cannot reach the database at {self.masked_url}: {type(exc).__name__}: {_first_line(exc)}"
            ) from exc

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
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
