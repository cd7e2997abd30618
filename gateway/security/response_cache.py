"""An opt-in response cache for anonymous catalogue queries.

With ``response_cache.enabled``, a query from a caller who is not signed in,
whose root fields are all catalogue fields (``response_cache.root_fields``:
``courses``, ``course``, ``collections``, ``providers`` by default), is
answered from the cache when the same operation, variables and catalogue
version were answered before, within ``response_cache.ttl_seconds``. Only
answers without errors are stored.

The catalogue version is a counter that
:func:`gateway.security.services.catalogue_changed` moves on;
``karmayogi catalogue sync`` calls it, and a provider that syncs on its own
should too. With ``redis_url`` the entries and the version live in Redis, so
every worker (and the sync command, another process) sees the same ones;
without Redis they live in this process, and a sync run elsewhere is only
seen when the entries expire.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson
from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, parse

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.http_params import GraphQLParams
    from gateway.settings import ResponseCacheSettings

LOCAL_ENTRIES = 1_000


@lru_cache(maxsize=1_000)
def root_fields(query: str, operation_name: str | None, max_tokens: int) -> frozenset[str] | None:
    """The root field names of the chosen query operation, or ``None`` when it
    is not a plain query (mutation, fragments at the root, invalid)."""
    try:
        document = parse(query, max_tokens=max_tokens, no_location=True)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return None
    names = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        names.add(selection.name.value)
    return frozenset(names - {"__typename"})


class ResponseCache:
    def __init__(self, settings: ResponseCacheSettings, redis: Redis | None, prefix: str) -> None:
        self.settings = settings
        self.redis = redis
        self.prefix = prefix
        self._local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._version = 0
        self._lock = threading.Lock()

    def eligible(self, params: GraphQLParams, max_tokens: int) -> bool:
        if not self.settings.enabled or params.query is None:
            return False
        fields = root_fields(params.query, params.operation_name, max_tokens)
        return bool(fields) and fields is not None and fields <= set(self.settings.root_fields)

    async def version(self) -> int:
        if self.redis is not None:
            raw = await self.redis.get(f"{self.prefix}catalogue:version")
            return int(raw or 0)
        return self._version

    async def bump(self) -> int:
        if self.redis is not None:
            return int(await self.redis.incr(f"{self.prefix}catalogue:version"))
        with self._lock:
            self._version += 1
            self._local.clear()
            return self._version

    async def key(self, params: GraphQLParams) -> str:
        material = orjson.dumps(
            [params.query, params.operation_name, params.variables or {}, await self.version()],
            option=orjson.OPT_SORT_KEYS,
        )
        return f"{self.prefix}response:{hashlib.sha256(material).hexdigest()}"

    async def get(self, key: str) -> bytes | None:
        if self.redis is not None:
            raw: Any = await self.redis.get(key)
            return bytes(raw) if raw is not None else None
        with self._lock:
            entry = self._local.get(key)
            if entry is None:
                return None
            expires, body = entry
            if expires < time.monotonic():
                del self._local[key]
                return None
            self._local.move_to_end(key)
            return body

    async def put(self, key: str, body: bytes) -> None:
        ttl = self.settings.ttl_seconds
        if self.redis is not None:
            await self.redis.set(key, body, ex=ttl)
            return
        with self._lock:
            self._local[key] = (time.monotonic() + ttl, body)
            self._local.move_to_end(key)
            while len(self._local) > LOCAL_ENTRIES:
                self._local.popitem(last=False)
