"""Persisted operations: automatic persisted queries (APQ) and trusted documents.

APQ (Apollo's protocol): a client sends ``extensions.persistedQuery =
{"version": 1, "sha256Hash": H}`` without the query; an unknown hash answers
``PersistedQueryNotFound`` and the client sends query and hash once, which
stores it. Hash-only requests are short enough for ``GET``, so a CDN can cache
them. Learnt documents live in Redis (with a TTL) when ``redis_url`` is set,
else in the database.

Trusted documents: ``karmayogi operations register FILE...`` stores a
frontend's operations, marked trusted, in the database. With
``persisted_operations.trusted_only`` only those run: by hash, or by the exact
registered text. Documents are immutable by hash, so each worker keeps a small
read-through cache without any worker needing another's.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.http_params import RequestError
from gateway.security.models import PersistedOperationRow

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.db import Database
    from gateway.http_params import GraphQLParams
    from gateway.security.metrics import Metrics
    from gateway.settings import PersistedOperationsSettings

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
LOCAL_CACHE_SIZE = 1_000


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    body: str
    trusted: bool


class PersistedOperations:
    def __init__(
        self,
        settings: PersistedOperationsSettings,
        db: Database,
        redis: Redis | None,
        prefix: str,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.redis = redis
        self.prefix = prefix
        self.metrics = metrics
        self._cache: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    # -- storage ----------------------------------------------------------------

    def _cached(self, key: str) -> Document | None:
        with self._lock:
            doc = self._cache.get(key)
            if doc is not None:
                self._cache.move_to_end(key)
        if self.metrics is not None:
            self.metrics.cache_lookup("persisted_operations", doc is not None)
        return doc

    def _remember(self, key: str, doc: Document) -> None:
        with self._lock:
            self._cache[key] = doc
            while len(self._cache) > LOCAL_CACHE_SIZE:
                self._cache.popitem(last=False)

    async def lookup(self, key: str) -> Document | None:
        doc = self._cached(key)
        if doc is not None:
            return doc
        async with self.db.sessionmaker() as session:
            row = await session.get(PersistedOperationRow, key)
        if row is not None:
            doc = Document(row.body, row.trusted)
        elif self.redis is not None:
            body = await self.redis.get(f"{self.prefix}apq:{key}")
            if body is not None:
                doc = Document(body.decode() if isinstance(body, bytes) else str(body), False)
        if doc is not None and (doc.trusted or self.redis is None):
            self._remember(key, doc)  # immutable: safe to keep in this worker
        return doc

    async def learn(self, key: str, body: str) -> None:
        """Store an APQ document (Redis with TTL, else the database)."""
        if self.redis is not None:
            await self.redis.set(f"{self.prefix}apq:{key}", body, ex=self.settings.apq_ttl_seconds)
            return
        async with self.db.write_sessionmaker() as session, session.begin():
            if await session.get(PersistedOperationRow, key) is None:
                session.add(PersistedOperationRow(hash=key, body=body, trusted=False))

    # -- per request -----------------------------------------------------------

    async def resolve(self, params: GraphQLParams) -> tuple[GraphQLParams, bool]:
        """The params with the document filled in, and whether it came by hash.

        Raises ``RequestError`` for an unknown hash, a hash that does not
        match the query, or (trusted-only) an unregistered operation.
        """
        ext = (params.extensions or {}).get("persistedQuery")
        if ext is None:
            if self.settings.trusted_only and params.query is not None:
                doc = await self.lookup(sha256(params.query))
                if doc is None or not doc.trusted:
                    raise _not_registered()
            return params, False
        if not isinstance(ext, dict) or ext.get("version") != 1 or not isinstance(ext.get("sha256Hash"), str):
            raise RequestError(400, "extensions.persistedQuery needs version 1 and a sha256Hash.")
        key = ext["sha256Hash"].lower()
        if not _SHA256.match(key):
            raise RequestError(400, "persistedQuery.sha256Hash must be 64 hexadecimal digits.")
        if params.query is not None:
            if sha256(params.query) != key:
                raise RequestError(400, "persistedQuery.sha256Hash does not match the query.")
            if self.settings.trusted_only:
                doc = await self.lookup(key)
                if doc is None or not doc.trusted:
                    raise _not_registered()
            elif self.settings.apq:
                await self.learn(key, params.query)
            return params, False
        doc = await self.lookup(key)
        if doc is None or (self.settings.trusted_only and not doc.trusted):
            if self.settings.trusted_only:
                raise _not_registered()
            if not self.settings.apq:
                raise RequestError(400, "PersistedQueryNotSupported")
            # The APQ protocol: clients (Apollo's persisted-queries link) look
            # for this exact message and then send the query with its hash.
            raise RequestError(
                200, "PersistedQueryNotFound", code="NOT_FOUND", extensions={"persistedQuery": "NOT_FOUND"}
            )
        return replace(params, query=doc.body), True


def _not_registered() -> RequestError:
    return RequestError(
        403,
        "This gateway runs registered operations only; register it with `karmayogi operations register`.",
        code="FORBIDDEN",
    )


# -- registering a frontend's operations --------------------------------------


def read_operations(path: Path) -> list[tuple[str, str, str | None]]:
    """``(hash, body, name)`` for every operation in one file.

    ``.graphql``/``.gql``: the file is one document, hashed with SHA-256.
    ``.json``: Apollo's persisted-query manifest (``{"format":
    "apollo-persisted-query-manifest", "operations": [{"id", "name", "body"}]}``)
    or a map ``{hash: document}`` (GraphQL Codegen's persisted documents).
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".graphql", ".gql"):
        if not text.strip():
            raise ValueError(f"{path}: the file is empty")
        return [(sha256(text), text, None)]
    if path.suffix != ".json":
        raise ValueError(f"{path}: expected .graphql, .gql or .json")
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        ops = data.get("operations")
        if not isinstance(ops, list):
            raise ValueError(f"{path}: the manifest has no operations list")
        out = []
        for op in ops:
            if not isinstance(op, dict) or not isinstance(op.get("body"), str):
                raise ValueError(f"{path}: each operation needs a body")
            out.append((str(op.get("id") or sha256(op["body"])), op["body"], op.get("name")))
        return _callable(path, out)
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return _callable(path, [(str(k), v, None) for k, v in data.items()])
    raise ValueError(f"{path}: expected an Apollo persisted-query manifest or a {{hash: document}} map")


def _callable(path: Path, operations: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
    """Refuse ids a client could never call: requests name an operation by
    ``sha256Hash`` (64 hexadecimal digits), so any other id would register
    and never run. Every bad id is named."""
    bad = [key for key, _, _ in operations if not _SHA256.match(key.lower())]
    if bad:
        shown = ", ".join(repr(k) for k in bad[:20]) + (f" and {len(bad) - 20} more" if len(bad) > 20 else "")
        raise ValueError(
            f"{path}: operation ids must be SHA-256 hashes (64 hexadecimal digits), as clients send "
            f"them in persistedQuery.sha256Hash; these are not: {shown}. Generate the manifest "
            "with the default sha256 ids."
        )
    return [(key.lower(), body, name) for key, body, name in operations]


async def register(db: Database, operations: list[tuple[str, str, str | None]]) -> tuple[int, int]:
    """Store operations as trusted; returns (added, already there). A hash
    already stored with another body is refused (``ValueError``)."""
    added = existing = 0
    async with db.write_sessionmaker() as session, session.begin():
        for key, body, name in operations:
            row = await session.get(PersistedOperationRow, key)
            if row is None:
                session.add(PersistedOperationRow(hash=key, body=body, name=name, trusted=True))
                added += 1
            elif row.body != body:
                raise ValueError(f"hash {key} is already registered with a different document")
            else:
                row.trusted = True
                row.name = row.name or name
                existing += 1
    return added, existing
