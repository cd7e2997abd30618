"""One request per subgraph per resolution wave.

A DataLoader dispatches on the next loop tick, so objects of one wave that
reach a remote field a database read later (one learner cached, another not)
would cost a second request. :class:`WaveBatcher` dispatches when the wave has
settled instead: no new ask for ten ticks, and none of the gateway's own
async resolvers under way (``busy``, counted by the plugin's schema extension:
database loads, provider calls). A wave never waits longer than ``max_wait``
seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

SETTLED_TICKS = 10  # graphql-core needs a few ticks to go from a resolved parent to its children


class WaveBatcher(Generic[K, V]):
    def __init__(
        self, batch: Callable[[list[K]], Awaitable[list[Any]]], busy: Callable[[], int], max_wait: float = 0.5
    ) -> None:
        self.batch = batch
        self.busy = busy
        self.max_wait = max_wait
        self.late = 0  # waves sent at max_wait, not settled
        self.queue: list[tuple[K, asyncio.Future[V]]] = []
        self.cache: dict[K, asyncio.Future[V]] = {}
        self._task: asyncio.Task[None] | None = None

    def load(self, key: K) -> asyncio.Future[V]:
        found = self.cache.get(key)
        if found is not None:
            return found
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self.cache[key] = future
        self.queue.append((key, future))
        if self._task is None:
            self._task = asyncio.ensure_future(self._dispatch())
        return future

    async def _settle(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        seen, quiet = -1, 0
        while loop.time() < deadline:
            if self.busy():
                quiet = 0
                await asyncio.sleep(0.0005)
                continue
            await asyncio.sleep(0)
            size = len(self.queue)
            quiet = quiet + 1 if size == seen else 0
            seen = size
            if quiet >= SETTLED_TICKS:
                return
        self.late += 1

    async def _dispatch(self) -> None:
        try:
            await self._settle()
        finally:
            queue, self.queue, self._task = self.queue, [], None
        try:
            results = await self.batch([k for k, _ in queue])
        except Exception as exc:
            results = [exc] * len(queue)
        for (_, future), result in zip(queue, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
