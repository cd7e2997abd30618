"""Production: no introspection, no "did you mean", unexpected errors masked
with the request id while the details go to the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import strawberry

from gateway import hookimpl
from gateway.testing import GatewayClient, error_codes, production_plugin_settings
from schema.contribution import SchemaContribution
from tests.security.probe import Calls, ProbePlugin, bounded

PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": "k" * 40,
    "load_demo_data": False,
    "plugins": production_plugin_settings(),
}


def explode() -> str:
    raise RuntimeError("database password is hunter2 at 10.1.2.3")


class ExplodingPlugin:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        return SchemaContribution(query=[strawberry.field(resolver=explode)])


async def production_gateway(make_gateway: Any, **overrides: Any) -> GatewayClient:
    # Production refuses to migrate at start-up: migrate with a development
    # gateway first, as `karmayogi db upgrade` would.
    await make_gateway(load_demo_data=False)
    plugins = [("probe", ProbePlugin()), ("exploding", ExplodingPlugin())]
    client: GatewayClient = await make_gateway(extra_plugins=plugins, **{**PRODUCTION, **overrides})
    return client


INTROSPECTION = "{ __schema { types { name } } }"
HIDDEN_INTROSPECTION = '{ probe { ...T } } fragment T on Probe { name __type(name: "Probe") { name } }'


async def test_introspection_is_refused_in_production(make_gateway: Any, calls: Calls) -> None:
    client = await production_gateway(make_gateway)

    async def send() -> dict[str, Any]:
        return await client.graphql(INTROSPECTION, expect_errors=True)

    body = await bounded(send)
    assert body["_status"] == 400
    assert error_codes(body) == ["FORBIDDEN"]
    body = await client.graphql('{ __type(name: "Probe") { name } }', expect_errors=True)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await client.graphql(HIDDEN_INTROSPECTION, expect_errors=True)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await client.graphql("{ probe { __typename name } }")
    assert body["data"]["probe"] == {"__typename": "Probe", "name": "p"}
    assert calls.names == ["probe"]


async def test_settings_turn_introspection_back_on(make_gateway: Any) -> None:
    client = await production_gateway(make_gateway, introspection=True)
    body = await client.graphql(INTROSPECTION)
    assert "Probe" in {t["name"] for t in body["data"]["__schema"]["types"]}


async def test_development_allows_introspection(probe_client: GatewayClient) -> None:
    body = await probe_client.graphql(INTROSPECTION)
    assert body["data"]["__schema"]["types"]


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("{ probe { nam } }", "name"),
        ("{ prob { name } }", "probe"),
    ],
)
async def test_no_suggestions_in_production(
    make_gateway: Any, probe_client: GatewayClient, query: str, hint: str
) -> None:
    body = await probe_client.graphql(query, expect_errors=True)
    assert "Did you mean" in body["errors"][0]["message"]
    client = await production_gateway(make_gateway)
    body = await client.graphql(query, expect_errors=True)
    assert body["_status"] == 200  # a validation error, application/json (docs/graphql-over-http.md)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "Did you mean" not in body["errors"][0]["message"]
    assert f"'{hint}'" not in body["errors"][0]["message"]
    client = await production_gateway(make_gateway, suggestions=True)
    body = await client.graphql(query, expect_errors=True)
    assert "Did you mean" in body["errors"][0]["message"]


async def test_unexpected_errors_are_masked_and_logged(
    make_gateway: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = await production_gateway(make_gateway)
    caplog.set_level(logging.ERROR)
    response = await client.http.post(
        "/graphql", json={"query": "{ explode }"}, headers={"x-request-id": "req-123"}
    )
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    assert "hunter2" not in response.text
    assert "10.1.2.3" not in response.text
    logged = [r for r in caplog.records if r.exc_info]
    assert logged, "the error's details must reach the log"
    assert "hunter2" in str(logged[0].exc_info[1])  # type: ignore[index]


async def test_limits_are_on_in_production(make_gateway: Any, calls: Calls) -> None:
    client = await production_gateway(make_gateway)
    query = "{ probe { " + "child { " * 30 + "name" + " }" * 32
    body = await client.graphql(query, expect_errors=True)
    assert body["_status"] == 400
    assert error_codes(body) == ["OPERATION_LIMIT"]
    assert calls.count == 0
