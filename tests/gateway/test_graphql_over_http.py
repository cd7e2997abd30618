"""GraphQL over HTTP: media types, status codes, and the graphql-http audit
run against a real gateway (docs/graphql-over-http.md)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gateway.testing import GatewayClient, error_codes

ROOT = Path(__file__).resolve().parents[2]
GQL = "application/graphql-response+json"


def _audit_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "graphql_http_audit", ROOT / "tools" / "graphql_http_audit.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def documented_shoulds() -> set[str]:
    text = (ROOT / "docs" / "graphql-over-http.md").read_text()
    block = re.search(r"<!-- should-left:start -->(.*?)<!-- should-left:end -->", text, re.S)
    assert block is not None
    return {line[2:].strip() for line in block.group(1).splitlines() if line.startswith("- ")}


def test_every_must_audit_passes_and_the_shoulds_left_are_documented() -> None:
    tool = _audit_tool()
    try:
        results = tool.audit_fresh_gateway()
    except tool.AuditUnavailable as exc:
        pytest.fail(str(exc))
    assert len(results) > 50
    failed_musts = [r for r in results if r["status"] == "error"]
    assert failed_musts == []
    shoulds = {r["name"] for r in results if r["status"] == "warn"}
    assert shoulds == documented_shoulds()


async def test_graphql_response_json_when_asked(client: GatewayClient) -> None:
    ok = await client.http.post(
        "/graphql", json={"query": "{ competencies(area: DOMAIN) { id } }"}, headers={"accept": GQL}
    )
    assert ok.status_code == 200
    assert ok.headers["content-type"] == GQL
    assert ok.json()["data"]["competencies"]
    legacy = await client.http.post(
        "/graphql",
        json={"query": "{ competencies(area: DOMAIN) { id } }"},
        headers={"accept": "application/json"},
    )
    assert legacy.headers["content-type"] == "application/json"
    assert legacy.json() == ok.json()


async def test_request_errors_have_no_data_and_4xx(client: GatewayClient) -> None:
    for query in ("{ competencies(area: DOMAIN) { id ", "{ nothing }"):
        response = await client.http.post("/graphql", json={"query": query}, headers={"accept": GQL})
        assert response.status_code == 400
        assert "data" not in response.json()
    coercion = await client.http.post(
        "/graphql",
        json={"query": "query($a: CompetencyArea) { competencies(area: $a) { id } }", "variables": {"a": 5}},
        headers={"accept": GQL},
    )
    assert coercion.status_code == 400
    assert error_codes(coercion.json()) == ["BAD_USER_INPUT"]


async def test_missing_query_and_bad_parameters(client: GatewayClient) -> None:
    for body in ({}, {"query": 1}, {"query": "{ __typename }", "variables": [1]}):
        response = await client.http.post("/graphql", json=body, headers={"accept": GQL})
        assert response.status_code == 400, body
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]
