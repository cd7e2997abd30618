"""Settling a wave of awaitables: every resolver of one level at once.

All awaitables the walker queued while completing one level are awaited
together (one task each, as graphql-core's gather does), so the level's
DataLoader loads are all queued before the loaders dispatch; then their
values are completed, which queues the next wave.

Coroutines are not stepped eagerly in the driver's task: a resolver that
enters a task-bound scope before its first suspension (``asyncio.timeout``,
an anyio cancel scope inside an HTTP client) must run in its own task from
the start.
"""

from __future__ import annotations

import types
from asyncio import ensure_future, gather
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.execution.walk import Pending, Walker

_COROUTINE = types.CoroutineType


async def settle_all(entries: list[Pending]) -> None:
    """Await every entry's awaitable, storing its value or exception on it."""
    futures = [ensure_future(entry.awaitable) for entry in entries]
    for entry in entries:
        entry.awaitable = None
    try:
        results = await gather(*futures, return_exceptions=True)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    for entry, result in zip(entries, results, strict=True):
        if isinstance(result, Exception):
            entry.ok = False
        elif isinstance(result, BaseException):
            raise result
        entry.value = result


async def drive(walker: Walker) -> None:
    """Settle wave after wave until nothing is pending."""
    try:
        while walker.wave:
            current = walker.wave
            walker.wave = []
            if len(current) == 1:
                await _settle_one(current[0])
            else:
                await settle_all(current)
            for entry in current:
                walker.settle(entry)
    except BaseException:  # cancelled (the request's time limit): close what never started
        for entry in walker.wave:
            if type(entry.awaitable) is _COROUTINE:
                entry.awaitable.close()
        raise


async def _settle_one(entry: Pending) -> None:
    """A wave of one needs no task: await it in place."""
    awaitable = entry.awaitable
    entry.awaitable = None
    try:
        entry.value = await awaitable
    except Exception as exc:
        entry.ok = False
        entry.value = exc
