"""Prometheus metrics, served at ``/metrics``.

Each app has its own registry. With several workers, ``karmayogi serve``
sets ``PROMETHEUS_MULTIPROC_DIR`` and every worker's values go to files
there, so a scrape of any worker reports all of them.

Useful queries: request rate by outcome
``sum by (outcome) (rate(karmayogi_graphql_requests_total[5m]))``; p99
``histogram_quantile(0.99, sum by (le) (rate(karmayogi_graphql_request_duration_seconds_bucket[5m])))``;
cache hit ratio ``sum by (cache) (rate(karmayogi_cache_lookups_total{result="hit"}[5m])) /
sum by (cache) (rate(karmayogi_cache_lookups_total[5m]))``.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from gateway.db import Database

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}
# Operation names come from clients: past this many distinct names, further
# ones are counted as "other" so a client cannot blow up the label space.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        r = self.registry
        self.requests = Counter(
            "karmayogi_graphql_requests",
            "GraphQL operations by operation name and outcome (ok, partial, refused, rate_limited, error).",
            ["operation", "outcome"],
            registry=r,
        )
        self.latency = Histogram(
            "karmayogi_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.provider_latency = Histogram(
            "karmayogi_provider_call_duration_seconds",
            "Time of calls to content providers, by provider and call.",
            ["provider", "call"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.provider_errors = Counter(
            "karmayogi_provider_errors",
            "Failed calls to content providers, by provider and error kind.",
            ["provider", "kind"],
            registry=r,
        )
        self.circuit_state = Gauge(
            "karmayogi_provider_circuit_state",
            "Circuit breaker of each provider: 0 closed, 1 half-open, 2 open.",
            ["provider"],
            registry=r,
            multiprocess_mode="livemax",
        )
        self.pool_checked_out = Gauge(
            "karmayogi_db_pool_checked_out",
            "Database connections in use.",
            ["engine"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "karmayogi_db_pool_size",
            "Database connections the pool keeps.",
            ["engine"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.cache_lookups = Counter(
            "karmayogi_cache_lookups",
            "Cache lookups by cache and result (hit, miss, bypass).",
            ["cache", "result"],
            registry=r,
        )
        self.cache_bypasses = Counter(
            "karmayogi_cache_bypasses",
            "Requests a cache stepped aside for, by cache and reason (uncacheable: the operation "
            "selects a field without cache declarations; store_unavailable: Redis did not answer).",
            ["cache", "reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "karmayogi_rate_limited",
            "Requests refused by a rate limit, by bucket kind (principal, address).",
            ["kind"],
            registry=r,
        )
        self.retried = Counter(
            "karmayogi_graphql_retried",
            "Query operations run a second time after a lost database connection.",
            registry=r,
        )
        self.redis_fallbacks = Counter(
            "karmayogi_redis_fallbacks",
            "Redis calls that failed and took their fallback, by use (rate_limit, session, events, cache).",
            ["use"],
            registry=r,
        )
        self.redis_pool_max = Gauge(
            "karmayogi_redis_pool_max_connections",
            "The Redis pool's limit (redis_max_connections), per worker.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.redis_pool_in_use = Gauge(
            "karmayogi_redis_pool_in_use",
            "Redis connections in use.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.executions = Counter(
            "karmayogi_graphql_executions",
            "Operations by executor (compiled, graphql_core) and, for graphql_core, why "
            "(mutation, subscription, warming, unsupported, compile_error, middleware).",
            ["executor", "reason"],
            registry=r,
        )
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _NAME.match(name):
            return "other"
        with self._lock:
            if name in self._names:
                return name
            if len(self._names) >= MAX_OPERATION_NAMES:
                return "other"
            self._names.add(name)
        return name

    def observe_request(self, operation: str | None, outcome: str, seconds: float) -> None:
        label = self.operation_label(operation)
        self.requests.labels(label, outcome).inc()
        self.latency.labels(label).observe(seconds)

    def observe_provider(self, provider: str, call: str, seconds: float, error: str | None) -> None:
        self.provider_latency.labels(provider, call).observe(seconds)
        if error is not None:
            self.provider_errors.labels(provider, error).inc()

    def count_provider_error(self, provider: str, kind: str) -> None:
        self.provider_errors.labels(provider, kind).inc()

    def set_circuit_state(self, provider: str, state: str) -> None:
        if state not in CIRCUIT_STATES:
            raise ValueError(f"circuit state must be one of {', '.join(CIRCUIT_STATES)}, not {state!r}")
        self.circuit_state.labels(provider).set(CIRCUIT_STATES[state])

    def count_execution(self, executor: str, reason: str) -> None:
        self.executions.labels(executor, reason).inc()

    def cache_lookup(self, cache: str, hit: bool) -> None:
        self.cache_lookups.labels(cache, "hit" if hit else "miss").inc()

    def cache_bypass(self, cache: str, reason: str) -> None:
        self.cache_lookups.labels(cache, "bypass").inc()
        self.cache_bypasses.labels(cache, reason).inc()

    def sample_pool(self, db: Database) -> None:
        engines = [("read", db.engine), ("write", db.write_engine), ("replica", db.read_engine)]
        for name, engine in engines:
            if name != "read" and engine is db.engine:
                continue
            pool = engine.sync_engine.pool
            checked_out = getattr(pool, "checkedout", None)
            size = getattr(pool, "size", None)
            if callable(checked_out):
                self.pool_checked_out.labels(name).set(checked_out())
            if callable(size):
                self.pool_size.labels(name).set(size())

    def exposition(self) -> bytes:
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
