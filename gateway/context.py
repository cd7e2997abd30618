"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aiodataloader import DataLoader, Loader, dispatch_queue

from schema.context import MaybeAwaitable, State, StateKey
from schema.errors import Unauthenticated
from schema.reads import Read

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import HTTPConnection
    from strawberry import Info

    from gateway.authz import Authz
    from gateway.host import Gateway
    from schema.identity import Principal

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
BatchFn = Callable[["RequestContext", list[K]], Awaitable[Sequence[V]]]

OPERATION_NAME: StateKey[str | None] = StateKey("request.operation_name")
"""The name the document gives the operation (for metrics and traces)."""


@dataclass(eq=False)
class RequestContext:
    """Who is asking, the request's DataLoaders and its database session.

    Resolvers run concurrently and an ``AsyncSession`` must not be shared by two
    coroutines, so ``db()`` opens a short session for one batch of reads and
    closes it (returning its connection to the pool) at once; rows come back
    detached with their columns loaded. ``write()`` is one transaction for a
    mutation; afterwards the request's DataLoader caches are dropped so later
    reads see the change. Inside ``write()`` use only its session.

    ``db()`` reads from the read replica (``database_read_url``) only when
    ``replica_reads`` is on: the operation guard calls :meth:`choose_reads`
    for each operation, which turns it on for a query of a request that has
    not written; mutations, subscriptions, routes and everything after a
    write (in a batch too) read the primary.
    """

    gateway: Gateway
    request: HTTPConnection | None
    principal: Principal | None
    request_id: str
    extra_errors: list[Any] = field(default_factory=list)
    _loaders: dict[Any, DataLoader[Any, Any]] = field(default_factory=dict)
    _authz: Authz | None = None
    state: State = field(default_factory=State)  # per-request state, keyed by typed StateKey objects
    replica_reads: bool = False
    primary_only: bool = False  # set by the answer cache: its versions were read on the primary
    _wrote: bool = False

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        database = self.gateway.db
        maker = database.read_sessionmaker if self.replica_reads else database.sessionmaker
        async with maker() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        self.replica_reads = False
        self._wrote = True
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            yield session
        self._loaders.clear()
        self._authz = None

    def choose_reads(self, *, query: bool) -> None:
        """Before each operation: a query may read the replica unless this
        request has written; moving to the primary drops what the replica gave."""
        replica = query and not self._wrote and not self.primary_only
        if self.replica_reads and not replica:
            self.forget()
        self.replica_reads = replica

    def loader(self, batch: Read[K, V] | BatchFn[K, V]) -> DataLoader[K, V]:
        """The request's DataLoader for ``batch``, a batch function or a declared
        :class:`schema.reads.Read` (created on first use)."""
        if isinstance(batch, Read):
            batch = self.gateway.reads[batch]
        existing = self._loaders.get(batch)
        if existing is None:
            if inspect.iscoroutinefunction(batch):
                existing = _Loader(partial(batch, self))  # type: ignore[arg-type]
            else:

                async def load(keys: list[K]) -> Sequence[V]:
                    return await batch(self, keys)

                existing = _Loader(load)  # type: ignore[arg-type]
            self._loaders[batch] = existing
        return cast("DataLoader[K, V]", existing)

    async def load(self, batch: Read[K, V] | BatchFn[K, V], key: K) -> V:
        value: V = await self.loader(batch).load(key)
        return value

    async def load_many(self, batch: Read[K, V] | BatchFn[K, V], keys: Sequence[K]) -> list[V]:
        """The values of ``keys``, batched with every other load of this turn.
        The keys' futures are awaited one after another rather than gathered:
        the batch settles them all at once, so only the first suspends."""
        load = self.loader(batch).load
        futures = [load(key) for key in keys]
        return [await future for future in futures]

    def load_now(self, batch: Read[K, V] | BatchFn[K, V], key: K) -> MaybeAwaitable[V]:
        """The value at once when this request's loader holds it (loaded, not
        failed), else the loader's future for it, as :meth:`load` would await."""
        loader = self.loader(batch)
        future = loader._cache.get(key)
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return loader.load(key)

    def load_many_now(self, batch: Read[K, V] | BatchFn[K, V], keys: Sequence[K]) -> MaybeAwaitable[list[V]]:
        """:meth:`load_now` for many keys: every value at once, or one awaitable."""
        loader = self.loader(batch)
        cache = loader._cache
        values: list[V] = []
        for key in keys:
            future = cache.get(key)
            if future is None or not future.done() or future.cancelled() or future.exception() is not None:
                return loader.load_many(list(keys))
            values.append(future.result())
        return values

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated("Sign in first: send a session token in the Authorization header.")
        return self.principal

    @property
    def authz(self) -> Authz:
        if self._authz is None:
            from gateway.authz import Authz

            self._authz = Authz(self)
        return self._authz

    def forget(self) -> None:
        """Drop the request's cached loads and grants, so later reads see fresh
        data (a subscription calls it before resolving each event)."""
        self._loaders.clear()
        self._authz = None

    async def close(self) -> None:
        """Release what the request holds (loaders hold no connection)."""
        self._loaders.clear()


class _Loader(DataLoader):  # type: ignore[type-arg]
    """aiodataloader's DataLoader, dispatching its batch at the same turn of
    the event loop as the library would (two turns after the first load of
    the batch, so the loads of every resolver of a level join it) through
    plain callbacks, instead of a task whose only work is to start the batch's
    task."""

    def do_resolve_reject(self, key: Any, future: Any) -> None:
        queue = self._queue
        queue.append(Loader(key=key, future=future))
        if len(queue) == 1:
            self.loop.call_soon(self.loop.call_soon, dispatch_queue, self)


def context_of(info: Info[Any, Any]) -> RequestContext:
    return cast("RequestContext", info.context)
