"""The event outbox (with Redis): no event lost to a Redis outage.

A publisher stages its events in the transaction of the change they announce
(:meth:`Outbox.stage` inserts ``event_outbox`` rows with that session), so an
event exists exactly when its change was committed. After the commit the
relay publishes the rows to Redis and marks them published; if Redis does not
answer, the rows wait and the relay retries every ``retry_seconds`` until it
does (and at start-up, for rows a stopped worker left). Every worker relays;
on PostgreSQL rows are taken with ``FOR UPDATE SKIP LOCKED``.

Redis pub/sub keeps nothing for a listener that is reconnecting, so published
rows are kept ``KEEP_SECONDS`` more: a worker whose listener reconnects
replays the rows of its topics since its last good read (:meth:`replay`). An
event can so arrive twice, never zero times: each carries an ``eventId`` and
subscribers drop ids they have seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import delete, insert, select, update

from gateway.db.types import utcnow
from plugins.subscriptions.models import OutboxRow

if TYPE_CHECKING:
    from gateway.db.engine import Database
    from gateway.security.redis_link import RedisLink

log = logging.getLogger("plugins.subscriptions.outbox")

Staged = list[tuple[str, dict[str, Any]]]
BATCH = 200
KEEP_SECONDS = 120  # published rows kept for listeners that reconnect
CLEAN_EVERY_SECONDS = 30


def with_ids(events: Sequence[tuple[str, Any]]) -> Staged:
    """Each event with a fresh ``eventId``."""
    return [(topic, {"eventId": uuid.uuid4().hex, **payload}) for topic, payload in events]


class Outbox:
    def __init__(
        self,
        db: Database,
        publish: Callable[[str, bytes], Awaitable[Any]],
        link: RedisLink | None,
        retry_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.publish = publish
        self.link = link
        self.retry_seconds = retry_seconds
        self.published = 0
        self._cleaned_at = -float(CLEAN_EVERY_SECONDS)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def stage(self, session: Any, events: Sequence[tuple[str, Any]]) -> Staged:
        """Insert ``events`` with ``session`` (a sync SQLAlchemy session in its
        transaction, e.g. from a ``before_commit`` listener)."""
        staged = with_ids(events)
        now = utcnow()
        rows = [
            {
                "id": payload["eventId"],
                "topic": topic,
                "payload": orjson.dumps(payload).decode(),
                "created_at": now,
            }
            for topic, payload in staged
        ]
        if rows:
            session.execute(insert(OutboxRow), rows)
        return staged

    def nudge(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="event-outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        pending = True  # rows a stopped worker may have left
        while True:
            if not pending:
                await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis or the database is away: keep the rows, retry
                if self.link is not None:
                    self.link.failed("events", exc)
                else:
                    log.warning("publishing the event outbox failed; retrying: %s", exc)
                pending = True
                await asyncio.sleep(self.retry_seconds)
            else:
                pending = False
                if self.link is not None:
                    self.link.succeeded()

    async def drain(self) -> int:
        """Publish every row in the outbox, oldest first; returns how many."""
        sent = 0
        while True:
            failure: BaseException | None = None
            async with self.db.write_sessionmaker() as session, session.begin():
                query = (
                    select(OutboxRow)
                    .where(OutboxRow.published_at.is_(None))
                    .order_by(OutboxRow.created_at, OutboxRow.id)
                    .limit(BATCH)
                )
                if self.db.dialect == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                if time.monotonic() - self._cleaned_at > CLEAN_EVERY_SECONDS:
                    old = utcnow() - dt.timedelta(seconds=KEEP_SECONDS)
                    await session.execute(delete(OutboxRow).where(OutboxRow.published_at < old))
                    self._cleaned_at = time.monotonic()
                rows = list((await session.scalars(query)).all())
                if not rows:
                    return sent
                done: list[str] = []
                for row in rows:
                    try:
                        await self.publish(row.topic, row.payload.encode())
                    except Exception as exc:
                        failure = exc
                        break
                    done.append(row.id)
                if done:
                    published = update(OutboxRow).where(OutboxRow.id.in_(done)).values(published_at=utcnow())
                    await session.execute(published)
            sent += len(done)
            self.published += len(done)
            if failure is not None:
                raise failure
            if len(rows) < BATCH:
                return sent

    async def replay(self, since: dt.datetime, topics: Sequence[str]) -> Staged:
        """Events on ``topics`` staged since ``since`` (published or not), oldest first."""
        if not topics:
            return []
        query = (
            select(OutboxRow.topic, OutboxRow.payload)
            .where(OutboxRow.created_at >= since, OutboxRow.topic.in_(list(topics)))
            .order_by(OutboxRow.created_at, OutboxRow.id)
        )
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(query)).all()
        return [(topic, orjson.loads(payload)) for topic, payload in rows]
