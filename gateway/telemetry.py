"""What plugins report to the gateway's metrics and traces.

Content providers wrap each call to their source::

    from gateway.telemetry import provider_call, report_circuit_state

    async with provider_call(gateway, "istm", "catalogue"):
        response = await client.get(...)
    report_circuit_state(gateway, "istm", "open")   # closed | half_open | open

``provider_call`` times the call (``karmayogi_provider_call_duration_seconds``),
counts a failure by exception type (``karmayogi_provider_errors_total``) and,
with tracing on, makes it a client span under the operation's span. Caches
report lookups with :func:`record_cache_lookup` for the hit ratio.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, Status, StatusCode

from gateway.security.services import services_of

if TYPE_CHECKING:
    from gateway.host import Gateway


@asynccontextmanager
async def provider_call(gateway: Gateway, provider: str, call: str) -> AsyncIterator[None]:
    services = services_of(gateway)
    tracing = services.tracing
    span_cm: Any = (
        tracing.span(f"provider {provider} {call}", kind=SpanKind.CLIENT, provider=provider, call=call)
        if tracing is not None
        else nullcontext()
    )
    started = time.perf_counter()
    error: str | None = None
    with span_cm as span:
        try:
            yield
        except BaseException as exc:
            error = type(exc).__name__
            if span is not None:
                span.set_status(Status(StatusCode.ERROR, error))
            raise
        finally:
            services.metrics.observe_provider(provider, call, time.perf_counter() - started, error)


def report_circuit_state(gateway: Gateway, provider: str, state: str) -> None:
    """``state``: ``closed``, ``half_open`` or ``open``."""
    services_of(gateway).metrics.set_circuit_state(provider, state)


def record_cache_lookup(gateway: Gateway, cache: str, hit: bool) -> None:
    services_of(gateway).metrics.cache_lookup(cache, hit)
