"""What plugins report to the gateway's metrics and traces.

The catalogue already measures every call the gateway makes to a content
provider (``search``, ``courses_by_ids``, ...: see ``gateway.catalogue.calls``),
so a provider gets latency, error and trace figures without doing anything.
A provider that talks to a remote source may also measure its own requests,
and should report its circuit breaker::

    from gateway.telemetry import provider_call, report_circuit_state

    async with provider_call(gateway, "istm", "api.search"):
        response = await client.get(...)
    report_circuit_state(gateway, "istm", "open")   # closed | half_open | open

``provider_call`` times the call (``karmayogi_provider_call_duration_seconds``),
counts a failure by exception type (``karmayogi_provider_errors_total``) and,
with tracing on, makes it a client span under the operation's span.

Calls nest: a provider's own request made inside the catalogue's call is timed
under its own ``call`` label, and a failure is counted once, by the innermost
call of that provider that saw it (the catalogue's call then counts nothing).
``call.fail(kind)`` counts a failure that raised nothing (stale data served);
:func:`report_provider_failure` counts one that made no call at all (refused by
an open circuit). Caches report lookups with :func:`record_cache_lookup`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, Status, StatusCode

from gateway.security.services import services_of

if TYPE_CHECKING:
    from gateway.host import Gateway


class ProviderCall:
    """One provider call being measured (what ``provider_call`` yields)."""

    __slots__ = ("call", "counted_inside", "error", "provider")

    def __init__(self, provider: str, call: str) -> None:
        self.provider = provider
        self.call = call
        self.error: str | None = None
        self.counted_inside = False  # a call nested in this one counted a failure

    def fail(self, kind: str) -> None:
        """Count this call as failed (``kind``) though it raised nothing, e.g. a
        provider that served stale data because its source failed."""
        if self.error is None:
            self.error = kind


_CURRENT: ContextVar[ProviderCall | None] = ContextVar("karmayogi_provider_call", default=None)


def _counted(provider: str) -> None:
    """Tell the enclosing call of ``provider`` that a failure was counted inside it."""
    outer = _CURRENT.get()
    if outer is not None and outer.provider == provider:
        outer.counted_inside = True


@asynccontextmanager
async def provider_call(gateway: Gateway, provider: str, call: str) -> AsyncIterator[ProviderCall]:
    services = services_of(gateway)
    tracing = services.tracing
    span_cm: Any = (
        tracing.span(f"provider {provider} {call}", kind=SpanKind.CLIENT, provider=provider, call=call)
        if tracing is not None
        else nullcontext()
    )
    this = ProviderCall(provider, call)
    started = time.perf_counter()
    with span_cm as span:
        token = _CURRENT.set(this)
        try:
            yield this
        except BaseException as exc:
            this.fail(type(exc).__name__)
            raise
        finally:
            _CURRENT.reset(token)
            error = None if this.counted_inside else this.error
            services.metrics.observe_provider(provider, call, time.perf_counter() - started, error)
            if this.error is not None and span is not None:
                span.set_status(Status(StatusCode.ERROR, this.error))
            if error is not None or this.counted_inside:
                _counted(provider)


def report_provider_failure(gateway: Gateway, provider: str, kind: str) -> None:
    """Count a failure that made no call, e.g. one refused by an open circuit
    (``kind`` ``"CircuitOpen"``); the enclosing call of ``provider`` counts nothing."""
    services_of(gateway).metrics.count_provider_error(provider, kind)
    _counted(provider)


def report_circuit_state(gateway: Gateway, provider: str, state: str) -> None:
    """``state``: ``closed``, ``half_open`` or ``open``."""
    services_of(gateway).metrics.set_circuit_state(provider, state)


def record_cache_lookup(gateway: Gateway, cache: str, hit: bool) -> None:
    services_of(gateway).metrics.cache_lookup(cache, hit)
