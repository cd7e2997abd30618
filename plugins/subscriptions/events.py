"""Events for subscriptions: publish on a topic, receive on every worker.

Topics are strings such as ``learner:<id>:certificates``; payloads are JSON
objects. :class:`LocalEventBus` delivers inside one process;
:class:`RedisEventBus` (used when ``redis_url`` is set) publishes through Redis
pub/sub, so a subscriber on any worker receives events published on any other.
Each subscriber has a bounded queue: a subscriber too slow to keep up loses the
oldest events, never blocks the publisher, and the loss is logged.

Publishers that announce a database change stage their events in its
transaction (:meth:`stage` in ``before_commit``, :meth:`committed` after the
commit). With Redis the events go through the outbox
(``plugins.subscriptions.outbox``), so a Redis outage delays them and never
loses them; every event carries an ``eventId`` and a subscriber drops an id it
has already seen (the outbox may publish an event twice, never zero times).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from gateway.db.types import utcnow
from plugins.subscriptions.outbox import Outbox, Staged, with_ids

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.db.engine import Database
    from gateway.security.redis_link import RedisLink

log = logging.getLogger("plugins.subscriptions")

Payload = dict[str, Any]


class EventBus(Protocol):
    """What publishers and subscription resolvers use (``events_of(gateway)``)."""

    async def publish(self, topic: str, payload: Payload) -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Payload]]: ...

    def stage(self, session: Any, events: Sequence[tuple[str, Payload]]) -> Staged: ...

    def committed(self, staged: Staged) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def subscriber_count(self) -> int: ...


class _Subscriber:
    def __init__(self, topic: str, queue_size: int) -> None:
        self.topic = topic
        self.queue: asyncio.Queue[Payload] = asyncio.Queue(maxsize=queue_size)
        self.dropped = 0
        self.seen: OrderedDict[str, None] = OrderedDict()  # recent event ids
        self.seen_limit = max(256, queue_size * 2)

    def offer(self, payload: Payload) -> None:
        event_id = payload.get("eventId")
        if isinstance(event_id, str):
            if event_id in self.seen:
                return  # published twice by the outbox: deliver once
            self.seen[event_id] = None
            if len(self.seen) > self.seen_limit:
                self.seen.popitem(last=False)
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
            log.warning("subscriber on %s is too slow; dropped an event", self.topic)
        self.queue.put_nowait(payload)

    async def iterate(self) -> AsyncIterator[Payload]:
        while True:
            yield await self.queue.get()


class LocalEventBus:
    """In-process fan-out: every subscriber of a topic gets every event."""

    def __init__(self, queue_size: int = 100) -> None:
        self.queue_size = queue_size
        self._subscribers: dict[str, set[_Subscriber]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._subscribers.clear()

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    def deliver(self, topic: str, payload: Payload) -> None:
        for subscriber in list(self._subscribers.get(topic, ())):
            subscriber.offer(payload)

    async def publish(self, topic: str, payload: Payload) -> None:
        self.deliver(topic, payload)

    def stage(self, session: Any, events: Sequence[tuple[str, Payload]]) -> Staged:
        """Events announcing the change ``session`` is about to commit."""
        return with_ids(events)

    def committed(self, staged: Staged) -> None:
        """The transaction that staged ``staged`` committed: deliver them."""
        for topic, payload in staged:
            self.deliver(topic, payload)

    async def _added(self, topic: str) -> None:
        return None

    async def _removed(self, topic: str) -> None:
        return None

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Payload]]:
        subscriber = _Subscriber(topic, self.queue_size)
        first = not self._subscribers.get(topic)
        self._subscribers[topic].add(subscriber)
        try:
            if first:
                await self._added(topic)
            yield subscriber.iterate()
        finally:
            subscribers = self._subscribers.get(topic)
            if subscribers is not None:
                subscribers.discard(subscriber)
                if not subscribers:
                    del self._subscribers[topic]
                    await self._removed(topic)


class RedisEventBus(LocalEventBus):
    """Fan-out across workers: publish to Redis, deliver what Redis sends back.

    One pub/sub connection per process listens to the topics this process has
    subscribers for; an event published here also arrives through Redis, so
    it is delivered exactly once to every subscriber, local or not.
    """

    def __init__(
        self,
        link: RedisLink,
        listener: Redis,
        db: Database,
        *,
        prefix: str = "karmayogi:events:",
        queue_size: int = 100,
    ) -> None:
        super().__init__(queue_size)
        self.link = link
        self.prefix = prefix
        self._redis: Any = listener  # its own connection for pub/sub
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.outbox = Outbox(db, self._send, link)
        self._read_ok_at = utcnow()  # the last time the listener read without error
        self._hooked: Any = None  # the pub/sub connection told to call back on reconnects
        self._replays: set[asyncio.Task[None]] = set()
        self.replayed = 0

    async def start(self) -> None:
        await self._redis.ping()
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self.outbox.start()

    async def close(self) -> None:
        await self.outbox.stop()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self._redis.aclose()
        await super().close()

    async def _send(self, topic: str, body: bytes) -> None:
        await self.link.client.publish(self.prefix + topic, body)

    async def publish(self, topic: str, payload: Payload) -> None:
        """Publish now (an event no transaction announces); raises if Redis is away."""
        await self._send(topic, orjson.dumps(with_ids([(topic, payload)])[0][1]))

    def stage(self, session: Any, events: Sequence[tuple[str, Payload]]) -> Staged:
        return self.outbox.stage(session, events)

    def committed(self, staged: Staged) -> None:
        if staged:
            self.outbox.nudge()

    async def _added(self, topic: str) -> None:
        async with self._lock:
            await self._pubsub.subscribe(self.prefix + topic)
            self._hook()
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read(), name="redis-events")

    def _hook(self) -> None:
        connection = self._pubsub.connection
        if connection is not None and connection is not self._hooked:
            connection.register_connect_callback(self._reconnected)
            self._hooked = connection

    def _reconnected(self, _connection: Any) -> None:
        """The listener's connection came back (it resubscribes by itself):
        what was published while it was away reaches nobody through Redis,
        so replay it from the outbox."""
        since = self._read_ok_at - dt.timedelta(seconds=2)
        task = asyncio.get_running_loop().create_task(self._replay(since))
        self._replays.add(task)
        task.add_done_callback(self._replays.discard)

    async def _replay(self, since: dt.datetime) -> None:
        try:
            events = await self.outbox.replay(since, list(self._subscribers))
        except Exception:  # the database is away too; nothing more to do here
            log.exception("replaying events after a Redis reconnect failed")
            return
        for topic, payload in events:
            self.deliver(topic, payload)  # subscribers drop ids they already have
        self.replayed += len(events)

    async def _removed(self, topic: str) -> None:
        async with self._lock:
            await self._pubsub.unsubscribe(self.prefix + topic)

    async def _read(self) -> None:
        while True:
            try:
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
                self._read_ok_at = utcnow()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep serving; Redis may come back
                log.exception("reading events from Redis failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else str(channel)
            try:
                payload = orjson.loads(message["data"])
            except orjson.JSONDecodeError:
                log.warning("ignored a malformed event on %s", channel)
                continue
            self.deliver(channel.removeprefix(self.prefix), payload)
