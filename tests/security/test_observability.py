"""/metrics, OpenTelemetry traces to a real OTLP/HTTP receiver, JSON logs."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from gateway.observability import JsonFormatter
from gateway.security.services import STATE_KEY
from gateway.telemetry import provider_call, record_cache_lookup, report_circuit_state
from gateway.testing import GatewayClient
from tests.security.probe import Calls


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        metric, _, value = line.rpartition(" ")
        if metric.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in metric for k, v in labels.items()):
            return float(value)
    return None


async def metrics_text(client: GatewayClient) -> str:
    response = await client.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_operation_and_outcome(probe_client: GatewayClient) -> None:
    for _ in range(2):
        await probe_client.graphql("query Named { probe { name } }")
    await probe_client.graphql("{ probe { nam } }", expect_errors=True)
    await probe_client.http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    text = await metrics_text(probe_client)
    assert sample(text, "karmayogi_graphql_requests_total", operation="Named", outcome="ok") == 2
    assert sample(text, "karmayogi_graphql_requests_total", operation="anonymous", outcome="refused") == 2
    assert sample(text, "karmayogi_graphql_request_duration_seconds_count", operation="Named") == 2
    assert sample(text, "karmayogi_db_pool_size", engine="read") is not None


async def test_the_document_cache_reports_hits(make_probe_gateway: Any) -> None:
    client = await make_probe_gateway(limits={"document_cache_size": 100})
    for _ in range(3):
        await client.graphql("{ probe { name } }")
    text = await metrics_text(client)
    assert sample(text, "karmayogi_cache_lookups_total", cache="documents", result="miss") == 1
    assert sample(text, "karmayogi_cache_lookups_total", cache="documents", result="hit") == 2


async def test_operation_names_cannot_flood_the_label_space(probe_client: GatewayClient) -> None:
    metrics = probe_client.gateway.state[STATE_KEY].metrics
    labels = {metrics.operation_label(f"Op{i}") for i in range(500)}
    assert len(labels) == 201 and "other" in labels
    assert metrics.operation_label("bad name!") == "other"


async def test_providers_report_latency_errors_and_circuit_state(probe_client: GatewayClient) -> None:
    gateway = probe_client.gateway
    async with provider_call(gateway, "istm", "catalogue"):
        pass
    with pytest.raises(TimeoutError):
        async with provider_call(gateway, "istm", "catalogue"):
            raise TimeoutError
    report_circuit_state(gateway, "istm", "open")
    record_cache_lookup(gateway, "catalogue", True)
    text = await metrics_text(probe_client)
    assert sample(text, "karmayogi_provider_call_duration_seconds_count", provider="istm") == 2
    assert sample(text, "karmayogi_provider_errors_total", provider="istm", kind="TimeoutError") == 1
    assert sample(text, "karmayogi_provider_circuit_state", provider="istm") == 2
    assert sample(text, "karmayogi_cache_lookups_total", cache="catalogue", result="hit") == 1
    with pytest.raises(ValueError, match="circuit state"):
        report_circuit_state(gateway, "istm", "ajar")


async def test_rate_limited_requests_are_counted(make_probe_gateway: Any) -> None:
    client = await make_probe_gateway(rate_limits={"enabled": True, "address_burst": 1})
    for _ in range(2):
        await client.http.post("/graphql", json={"query": "{ probe { name } }"})
    text = await metrics_text(client)
    assert sample(text, "karmayogi_rate_limited_total", kind="address") == 1
    assert sample(text, "karmayogi_graphql_requests_total", outcome="rate_limited") == 1


class _Receiver(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: decodes each export request's protobuf."""

    spans: list[Any]

    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(length))
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                self.server.spans.extend(scope.spans)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def otlp_receiver() -> Iterator[tuple[str, list[Any]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.spans = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1/traces", server.spans  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


async def test_traces_have_operation_provider_and_sql_spans(
    make_gateway: Any, otlp_receiver: tuple[str, list[Any]]
) -> None:
    endpoint, spans = otlp_receiver
    client = await make_gateway(tracing={"enabled": True, "otlp_endpoint": endpoint})
    # Start-up work (e.g. IGNOU handing pending completions to the passbook) has its own traces.
    assert client.gateway.state[STATE_KEY].tracing.provider.force_flush()
    spans.clear()
    await client.graphql('query Orgs { organisations(search: "Personnel") { name } }')
    async with provider_call(client.gateway, "istm", "catalogue"):
        pass
    # Exports and waits for the receiver's answer.
    assert client.gateway.state[STATE_KEY].tracing.provider.force_flush()
    names = [s.name for s in spans]
    operation = next(s for s in spans if s.name == "graphql Orgs")
    sql = [s for s in spans if s.name.startswith("sql ")]
    assert sql, names
    assert all(s.trace_id == operation.trace_id for s in sql)
    assert any(s.parent_span_id == operation.span_id for s in sql)
    statements = [a.value.string_value for s in sql for a in s.attributes if a.key == "db.statement"]
    assert any("organisations" in st for st in statements)
    assert "Personnel" not in " ".join(statements)  # parameters are never recorded
    assert "provider istm catalogue" in names


async def test_json_logs_carry_the_request_id_and_no_credential(make_gateway: Any, calls: Calls) -> None:
    from tests.security.test_production_mode import production_gateway

    client = await production_gateway(make_gateway)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        await client.http.post(
            "/graphql",
            json={"query": "{ explode }"},
            headers={"x-request-id": "trace-me-1", "cookie": "tracker=sekrit-token-value"},
        )
    finally:
        root.removeHandler(handler)
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line["request_id"] == "trace-me-1" for line in lines)
    assert "sekrit-token-value" not in stream.getvalue()
