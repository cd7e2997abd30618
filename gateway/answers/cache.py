"""The answer cache's one entry point, :meth:`AnswerCache.serve`.

Given the request context, the operation's parameters and a way to compute
the answer, it returns the cached bytes (a hit) or computes the answer,
stores it when it may be kept and returns it (a miss); an operation that
cannot be cached is computed and counted as a bypass.

The key carries: the caller, the document text's hash, the operation name,
the variables, a fingerprint of the app (settings, schema, plugins: a restart
with other ``state_modules`` gives other keys) and the versions of every scope
the answer depends on, read from the database in one statement just before
the answer is computed. A write committed after that read bumps a version, so
its readers compute a new answer under a new key; an answer computed from
older data is only ever found under the older versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from gateway.answers.plan import NO_OPERATION, NO_PARSE, NOT_A_QUERY, FieldRules, Plan, Plans
from gateway.answers.store import LocalStore, RedisStore, Store, Unavailable
from gateway.answers.versions import VersionReader, today_ist
from gateway.execution.shared import VERSIONS as SHARED_VERSIONS
from schema.cache import DAY, LEARNER, NO_STORE, ROLES, TIME, learner_scope

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.context import RequestContext
    from gateway.host import Gateway
    from gateway.http_params import GraphQLParams
    from gateway.security.metrics import Metrics

log = logging.getLogger("gateway.answers")
Compute = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]
CACHE = "answers"
NOT_LOOKED_UP = frozenset({NOT_A_QUERY, NO_PARSE, NO_OPERATION})


@dataclass
class Answer:
    """``raw`` is set on a hit (the stored bytes) and on a stored miss; ``body``
    whenever the answer was computed here. ``cache``: hit, miss, bypass or off."""

    status: int
    body: dict[str, Any] | None
    raw: bytes | None
    cache: str

    def bytes(self) -> bytes:
        if self.raw is None:
            self.raw = orjson.dumps(self.body)
        return self.raw


# The settings an answer can follow (plugins' sections included; secrets are
# masked in the dump). Start-up, logging, pools and abuse controls are not.
ANSWER_SETTINGS = {
    "environment",
    "public_url",
    "introspection",
    "state_modules",
    "plugins",
    "plugins_allow",
    "plugins_block",
    "limits",
}


def fingerprint(gateway: Gateway) -> bytes:
    """What else an answer depends on: the release, the enabled plugins, the
    settings answers can follow and the composed schema."""
    settings = gateway.settings.model_dump_json(include=ANSWER_SETTINGS)
    plugins = ",".join(sorted(name for name, _ in gateway.pm.list_name_plugin()))
    material = "\n".join([_release(), plugins, settings, gateway.schema.as_str()])
    return hashlib.blake2b(material.encode(), digest_size=16).digest()


def windows(scopes: Iterable[str]) -> bytes:
    """The current window of every ``time:<seconds>`` declaration: the key
    changes when any of them ends, so the answer is kept at most that long."""
    now = time.time()
    parts = [
        f"{scope}@{int(now // max(int(scope[len(TIME) :]), 1))}" for scope in scopes if scope.startswith(TIME)
    ]
    return ",".join(parts).encode()


def _release() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("karmayogi-gateway")
    except PackageNotFoundError:
        return "unreleased"


class AnswerCache:
    def __init__(
        self,
        gateway: Gateway,
        fields: FieldRules,
        redis: Redis | None,
        prefix: str,
        metrics: Metrics,
    ) -> None:
        settings = gateway.settings.answer_cache
        self.enabled = settings.enabled
        self.max_entry_bytes = settings.max_entry_bytes
        self.metrics = metrics
        self.prefix = f"{prefix}answer:"
        limits = gateway.settings.limits
        self.plans = Plans(gateway.schema._schema, fields, limits.document_cache_size, limits.max_tokens)
        self.reader = VersionReader(gateway.db.engine)
        self.store: Store
        if redis is not None:
            self.store = RedisStore(redis, settings.ttl_seconds, self._store_down)
        else:
            self.store = LocalStore(settings.max_entries, settings.max_bytes, settings.ttl_seconds)
        self.fingerprint = fingerprint(gateway)

    def _store_down(self, exc: Exception) -> None:
        self.metrics.cache_bypass(CACHE, "store_unavailable")

    def _bypass(self, reason: str) -> None:
        self.metrics.cache_bypass(CACHE, reason)

    def scopes(self, plan: Plan, ctx: RequestContext) -> list[str] | None:
        """The concrete scopes of ``plan`` for this caller (``None``: the answer
        reads a learner's records and nobody is signed in)."""
        principal = ctx.principal
        found: list[str] = []
        for scope in plan.scopes:
            if scope == LEARNER:
                if principal is None:
                    return None
                found.append(learner_scope(principal.learner_id))
            elif scope != DAY and not scope.startswith(TIME):
                found.append(scope)
        for declaration in plan.functions:
            found.extend(declaration(ctx))
        if principal is not None:  # what the caller may see follows their grants
            found += [learner_scope(principal.learner_id), ROLES]
        return sorted(set(found))

    def key(self, ctx: RequestContext, params: GraphQLParams, plan: Plan, versions: dict[str, int]) -> str:
        principal = ctx.principal
        who = f"{principal.source}\x00{principal.learner_id}" if principal is not None else ""
        variables = orjson.dumps(params.variables or {}, option=orjson.OPT_SORT_KEYS)
        digest = hashlib.blake2b(self.fingerprint, digest_size=20)
        for part in (
            who.encode(),
            (params.query or "").encode(),
            (params.operation_name or "").encode(),
            variables,
            today_ist().encode() if DAY in plan.scopes else b"",
            windows(plan.scopes),
            orjson.dumps(sorted(versions.items())),
        ):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return self.prefix + digest.hexdigest()

    async def serve(self, ctx: RequestContext, params: GraphQLParams, compute: Compute) -> Answer:
        if not self.enabled:
            status, body = await compute()
            return Answer(status, body, None, "off")
        if params.query is None:
            return await self._computed(compute, "no_document")
        plan = self.plans.get(params.query, params.operation_name)
        if plan.reason in NOT_LOOKED_UP:  # mutations, and documents the executor refuses
            status, body = await compute()
            return Answer(status, body, None, "off")
        if plan.reason is not None:
            return await self._computed(compute, "uncacheable")
        scopes = self.scopes(plan, ctx)
        if scopes is None:
            return await self._computed(compute, "anonymous")
        if not self.plans.confirmed(params.query, params.operation_name):
            self.metrics.cache_lookup(CACHE, False)
            status, body = await compute()
            if self.keepable(ctx, status, body):
                self.plans.confirm(params.query, params.operation_name)
            return Answer(status, body, None, "miss")
        try:
            versions = await self.reader.read(scopes)
        except Exception as exc:
            # A lost connection (a restart, a failover): compute the answer
            # through the gateway's pool, which reconnects or reports 503.
            log.warning("answer cache: scope versions unavailable (%s); computing", type(exc).__name__)
            return await self._computed(compute, "versions_unavailable")
        if versions is None:
            return await self._computed(compute, "no_epoch")
        key = self.key(ctx, params, plan, versions)
        try:
            cached = await self.store.get(key)
        except Unavailable:
            return await self._computed(compute, None)
        if cached is not None:
            self.metrics.cache_lookup(CACHE, True)
            return Answer(200, None, cached, "hit")
        self.metrics.cache_lookup(CACHE, False)
        ctx.primary_only = True  # a replica may not have the versions' data yet
        ctx.state[SHARED_VERSIONS] = versions  # shared selections follow them too
        status, body = await compute()
        answer = Answer(status, body, None, "miss")
        if self.keepable(ctx, status, body):
            raw = answer.bytes()
            if len(raw) <= self.max_entry_bytes:
                with contextlib.suppress(Unavailable):  # counted by the store; served all the same
                    await self.store.put(key, raw)
        return answer

    @staticmethod
    def keepable(ctx: RequestContext, status: int, body: dict[str, Any]) -> bool:
        """Only complete answers are kept: no errors, and no resolver asked
        not to (``schema.cache.NO_STORE``)."""
        complete = status == 200 and "errors" not in body and body.get("data") is not None
        return complete and not ctx.state.get(NO_STORE, False)

    async def _computed(self, compute: Compute, reason: str | None) -> Answer:
        if reason is not None:
            self._bypass(reason)
        status, body = await compute()
        return Answer(status, body, None, "bypass")


def merge_fields(declared: Iterable[dict[str, Any]]) -> FieldRules:
    merged: dict[str, Any] = {}
    for fields in declared:
        merged.update(fields)
    return FieldRules(merged)
