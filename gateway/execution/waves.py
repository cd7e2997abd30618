"""Settling a wave of awaitables: every resolver of one level at once.

Each coroutine is first stepped right here: one that finishes without
suspending (a DataLoader value already cached, a resolver with nothing to
wait for) needs no task; one that suspends has queued its loads, and goes on
in a task from where it stopped (:func:`_resume`). Only after the whole wave
has been stepped does the driver wait, so the loaders dispatch one batch per
level, as they do under graphql-core.
"""

from __future__ import annotations

import types
from asyncio import ensure_future, gather
from collections.abc import Coroutine, Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.execution.walk import Pending, Walker

_COROUTINE = types.CoroutineType


@types.coroutine
def _resume(coro: Coroutine[Any, Any, Any], yielded: Any) -> Generator[Any, Any, Any]:
    """Go on driving ``coro`` (which just yielded ``yielded``) inside a task.

    The future's ``_asyncio_future_blocking`` flag, which its ``__await__``
    set and :func:`settle_all` cleared (a future still flagged refuses a
    second awaiter), is set again for the task to see.
    """
    if getattr(yielded, "_asyncio_future_blocking", None) is False:
        yielded._asyncio_future_blocking = True
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # cancellation: pass it in
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value


async def settle_all(entries: list[Pending]) -> None:
    """Await every entry's awaitable, storing its value or exception on it."""
    futures = []
    waiting = []
    for entry in entries:
        awaitable = entry.awaitable
        entry.awaitable = None
        if type(awaitable) is _COROUTINE:
            try:
                yielded = awaitable.send(None)
            except StopIteration as stop:
                entry.value = stop.value
                continue
            except Exception as exc:
                entry.ok = False
                entry.value = exc
                continue
            if getattr(yielded, "_asyncio_future_blocking", None):
                yielded._asyncio_future_blocking = False  # another coroutine may await it next
            future = ensure_future(_resume(awaitable, yielded))
        else:
            future = ensure_future(awaitable)
        futures.append(future)
        waiting.append(entry)
    if not futures:
        return
    try:
        results = await gather(*futures, return_exceptions=True)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    for entry, result in zip(waiting, results, strict=True):
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
            await settle_all(current)
            for entry in current:
                walker.settle(entry)
    except BaseException:  # cancelled (the request's time limit): close what never started
        for entry in walker.wave:
            if type(entry.awaitable) is _COROUTINE:
                entry.awaitable.close()
        raise
