"""Which store an exception says is unavailable: the rule behind every 503.

A lost, refused or terminated connection to the database, or a Redis that does
not answer, is an infrastructure failure, not a fault of the query: the
answer is HTTP 503 with ``Retry-After`` and ``extensions.code``
``DATABASE_UNAVAILABLE`` or ``REDIS_UNAVAILABLE`` (docs/graphql-over-http.md),
whether it happened before the operation (the session check) or inside a
resolver. Never the driver's words: those go to the log.
"""

from __future__ import annotations

from typing import Literal

Store = Literal["DATABASE_UNAVAILABLE", "REDIS_UNAVAILABLE"]
RETRY_AFTER_SECONDS = 1


def _driver_lost(exc: BaseException) -> bool:
    """asyncpg's own words for a connection that is gone or unusable: a
    terminated backend (57P01), a server starting or stopping, connection
    failures (08xxx), and the interface errors of a broken connection
    ("connection was closed", "another operation is in progress")."""
    try:
        import asyncpg
    except ImportError:  # SQLite only
        return False
    lost = (
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.OperatorInterventionError,
        asyncpg.exceptions.InterfaceError,
    )
    return isinstance(exc, lost)


def unavailable(exc: BaseException | None) -> Store | None:
    """The store ``exc`` says is unavailable, or None for any other failure."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeout
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen = 0
    while exc is not None and seen < 5:
        seen += 1
        if isinstance(exc, (RedisConnectionError, RedisTimeout)):
            return "REDIS_UNAVAILABLE"
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return "DATABASE_UNAVAILABLE"
        if isinstance(exc, (PoolTimeout, ConnectionRefusedError, ConnectionResetError)) or _driver_lost(exc):
            return "DATABASE_UNAVAILABLE"
        if isinstance(exc, OSError) and not isinstance(exc, (FileNotFoundError, TimeoutError)):
            return "DATABASE_UNAVAILABLE"  # connecting failed (host down, unreachable)
        # SQLAlchemy wraps the driver's error (``orig``), which wraps asyncpg's (``__cause__``).
        exc = getattr(exc, "orig", None) or exc.__cause__
    return None


MESSAGES: dict[Store, str] = {
    "DATABASE_UNAVAILABLE": "The database is unavailable for a moment; retry.",
    "REDIS_UNAVAILABLE": "The gateway's cache (Redis) is unavailable for a moment; retry.",
}
