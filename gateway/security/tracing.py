"""OpenTelemetry tracing, when ``tracing.enabled``: a span per GraphQL
operation, per provider call and per SQL statement, exported over OTLP/HTTP
to ``tracing.otlp_endpoint`` (or printed to the log without one).

Each app has its own ``TracerProvider`` (not the process-global one), so two
apps in one process (tests) do not mix their spans. SQL statements are
traced through SQLAlchemy's cursor events on the app's engines; the span's
parent is the operation span, found through the OpenTelemetry context.
Statements are recorded without their parameters, so no value a learner
typed ends up in a trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from sqlalchemy import event

if TYPE_CHECKING:
    from gateway.db import Database
    from gateway.settings import TracingSettings

_SPAN_KEY = "karmayogi_span"


class Tracing:
    def __init__(self, settings: TracingSettings, exporter: SpanExporter | None = None) -> None:
        self.provider = TracerProvider(
            resource=Resource.create({"service.name": settings.service_name}),
            sampler=ParentBasedTraceIdRatio(settings.sample_ratio),
        )
        if exporter is None:
            if settings.otlp_endpoint:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

                exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint)
            else:
                exporter = ConsoleSpanExporter()
        self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("karmayogi.gateway")
        self._engines: list[Any] = []

    @contextmanager
    def span(self, name: str, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> Iterator[Span]:
        with self.tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span

    def instrument(self, db: Database) -> None:
        for engine in db.engines:
            sync = engine.sync_engine
            event.listen(sync, "before_cursor_execute", self._before)
            event.listen(sync, "after_cursor_execute", self._after)
            event.listen(sync, "handle_error", self._error)
            self._engines.append(sync)

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        verb = statement.lstrip().split(" ", 1)[0].upper()[:16] or "SQL"
        span = self.tracer.start_span(
            f"sql {verb}",
            kind=SpanKind.CLIENT,
            attributes={"db.system": conn.dialect.name, "db.statement": statement[:2000]},
        )
        if context is not None:
            setattr(context, _SPAN_KEY, span)

    def _after(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        span = getattr(context, _SPAN_KEY, None)
        if span is not None:
            span.end()

    def _error(self, exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, _SPAN_KEY, None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(exception_context.original_exception).__name__))
            span.end()

    def shutdown(self) -> None:
        for sync in self._engines:
            event.remove(sync, "before_cursor_execute", self._before)
            event.remove(sync, "after_cursor_execute", self._after)
            event.remove(sync, "handle_error", self._error)
        self._engines.clear()
        self.provider.shutdown()
