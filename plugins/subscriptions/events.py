"""Events for subscriptions: publish on a topic, receive on every worker.

Topics are strings such as ``learner:<id>:certificates``; payloads are JSON
objects. :class:`LocalEventBus` delivers inside one process;
:class:`RedisEventBus` (used when ``redis_url`` is set) publishes through Redis
pub/sub, so a subscriber on any worker receives events published on any other.
Each subscriber has a bounded queue: a subscriber too slow to keep up loses the
oldest events, never blocks the publisher, and the loss is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import orjson

log = logging.getLogger("plugins.subscriptions")

Payload = dict[str, Any]


class EventBus(Protocol):
    """What publishers and subscription resolvers use (``events_of(gateway)``)."""

    async def publish(self, topic: str, payload: Payload) -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Payload]]: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def subscriber_count(self) -> int: ...


class _Subscriber:
    def __init__(self, topic: str, queue_size: int) -> None:
        self.topic = topic
        self.queue: asyncio.Queue[Payload] = asyncio.Queue(maxsize=queue_size)
        self.dropped = 0

    def offer(self, payload: Payload) -> None:
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

    def __init__(self, url: str, *, prefix: str = "karmayogi:events:", queue_size: int = 100) -> None:
        super().__init__(queue_size)
        self.url = url
        self.prefix = prefix
        self._redis: Any = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(self.url)
        await self._redis.ping()
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()
        await super().close()

    async def publish(self, topic: str, payload: Payload) -> None:
        await self._redis.publish(self.prefix + topic, orjson.dumps(payload))

    async def _added(self, topic: str) -> None:
        async with self._lock:
            await self._pubsub.subscribe(self.prefix + topic)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read(), name="redis-events")

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
