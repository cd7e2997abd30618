"""Differential test: the compiled executor answers exactly as graphql-core.

Each operation is sent to two gateways on one database: one compiling every
query at first sight with ``execution.verify = "rerun"`` (graphql-core runs
it again and any difference is recorded), one with compilation off. The HTTP
bodies must be identical (request ids aside), no difference may have been
recorded, and the compiled gateway must really have run its plan.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bench.catalogue import SyntheticPlugin
from gateway.execution import execution_state
from gateway.testing import GatewayClient, MakeGateway, production_plugin_settings
from tests.gateway.execution.generated import generate
from tests.gateway.execution.probe_plugin import ProbePlugin
from tests.plugins.passbook.test_dashboard_counts import seed

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = (ROOT / "bench" / "queries" / "dashboard.graphql").read_text()
ASHA = "learner:demo-asha"

SHAPES = """
query Shapes {
  probe {
    shapes { __typename name ... on Circle { radius } ... on Square { side } }
    items { __typename ... on Text { body } ...ShapeName ... on Square { s: side, again: side } }
    alias: shapes { kind: __typename }
  }
}
fragment ShapeName on Shape { name }
"""
NODES = """
{
  org: node(id: "org:dopt") { id __typename ... on Organisation { name } }
  competency: node(id: "comp:functional-office-procedure-e-office") { __typename ...C }
  missing: node(id: "org:nowhere") { id }
}
fragment C on Competency { id theme subTheme }
"""
DIRECTIVES = """
query Directives($withLeaves: Boolean = true, $skipLabel: Boolean!, $n: Int = 2, $name: String) {
  probe {
    greeting(name: $name)
    plain: greeting
    loud: greeting(name: "x", shout: true)
    branch(label: "b") {
      label @skip(if: $skipLabel)
      leaves(count: $n, offset: 6) @include(if: $withLeaves) { value maybe }
    }
  }
}
"""
ERRORS: dict[str, str] = {
    "nullable field errors": "{ probe { branch { leaves(count: 3) { value boom maybe } } } }",
    "non-null error to the root": "{ probe { branch { leaves(count: 4) { value strict } } } }",
    "null for non-null": "{ probe { branches { label leaves(count: 5) { value must } } } }",
    "non-null list item": "{ probe { branch { names strictNames } } }",
    "serialisation error": "{ probe { huge } }",
    "forbidden": "{ probe { private } me { id } }",
    "partial answer": "{ probe { partial greeting } }",
    "errors at several depths": """{
      probe { branches { label requiredLeaves { value maybe boom } leaves(count: 2) { strict } } }
      again: probe { greeting private }
    }""",
}
AUTHORISATION = """
{ me { id } learner(id: "learner:demo-rahul") { id name email mobile } organisations(search: "Personnel") { name } }
"""


def normalised(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


def compiled_count(client: GatewayClient) -> int:
    state = execution_state(client.gateway)
    assert state is not None
    return len(state.plans)


@pytest.fixture
async def pair(make_gateway: MakeGateway) -> tuple[GatewayClient, GatewayClient]:
    plugins = [("probe", ProbePlugin()), ("synthetic", SyntheticPlugin())]
    compiled = await make_gateway(extra_plugins=plugins, execution={"compile_after": 1, "verify": "rerun"})
    reference = await make_gateway(extra_plugins=plugins, execution={"compiled": False})
    return compiled, reference


async def same_answer(
    pair: tuple[GatewayClient, GatewayClient],
    query: str,
    variables: dict[str, Any] | None = None,
    learner: str | None = ASHA,
) -> dict[str, Any]:
    compiled, reference = pair
    ours = normalised(await compiled.graphql(query, variables, as_learner=learner, expect_errors=True))
    theirs = normalised(await reference.graphql(query, variables, as_learner=learner, expect_errors=True))
    state = execution_state(compiled.gateway)
    assert state is not None
    assert not state.mismatches, state.mismatches
    assert ours == theirs
    return ours


async def test_fragments_on_interfaces_and_unions_and_aliases(
    pair: tuple[GatewayClient, GatewayClient],
) -> None:
    body = await same_answer(pair, SHAPES)
    items = body["data"]["probe"]["items"]
    assert items[0] == {"__typename": "Text", "body": "hi"}
    assert items[2] == {"__typename": "Square", "name": "q", "s": 3, "again": 3}
    assert list(body["data"]["probe"]) == ["shapes", "items", "alias"]
    body = await same_answer(pair, NODES)
    assert body["data"]["org"]["__typename"] == "Organisation"
    assert compiled_count(pair[0]) == 2


@pytest.mark.parametrize(
    "variables",
    [
        {"skipLabel": False},
        {"skipLabel": True, "withLeaves": False},
        {"skipLabel": False, "withLeaves": True, "n": 4, "name": "Asha"},
        {"skipLabel": True, "n": None},
    ],
)
async def test_skip_include_variables_and_default_values(
    pair: tuple[GatewayClient, GatewayClient], variables: dict[str, Any]
) -> None:
    body = await same_answer(pair, DIRECTIVES, variables)
    branch = (body.get("data") or {}).get("probe", {}).get("branch") or {}
    assert ("label" in branch) is not variables["skipLabel"]


async def test_skip_and_include_compile_one_plan_per_directive_value(
    pair: tuple[GatewayClient, GatewayClient],
) -> None:
    for variables in ({"skipLabel": False}, {"skipLabel": True}, {"skipLabel": False, "n": 3}):
        await same_answer(pair, DIRECTIVES, variables)
    assert compiled_count(pair[0]) == 2  # n is an argument, not a directive


@pytest.mark.parametrize("case", sorted(ERRORS))
async def test_errors_and_null_propagation(pair: tuple[GatewayClient, GatewayClient], case: str) -> None:
    body = await same_answer(pair, ERRORS[case])
    assert body["errors"], body
    assert all("extensions" in e and "code" in e["extensions"] for e in body["errors"])


async def test_a_non_null_error_nulls_the_whole_answer(pair: tuple[GatewayClient, GatewayClient]) -> None:
    body = await same_answer(pair, ERRORS["non-null error to the root"])
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["probe", "branch", "leaves", 1, "strict"]
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_partial_answers_keep_provider_unavailable(pair: tuple[GatewayClient, GatewayClient]) -> None:
    body = await same_answer(pair, ERRORS["partial answer"])
    assert body["data"]["probe"]["partial"] == ["stale answer"]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PROVIDER_UNAVAILABLE"]


async def test_authorisation_errors(pair: tuple[GatewayClient, GatewayClient]) -> None:
    await same_answer(pair, AUTHORISATION)
    await same_answer(pair, AUTHORISATION, learner=None)


async def test_dashboard_with_a_third_party_field(pair: tuple[GatewayClient, GatewayClient]) -> None:
    await seed(pair[0], ASHA, 21, plan=True)
    query = DASHBOARD.replace("  me {\n", "  me {\n    probeBadge { label level }\n", 1)
    assert "probeBadge" in query
    body = await same_answer(pair, query)
    assert body["data"]["me"]["probeBadge"]["label"] == f"badge of {ASHA}"
    assert len(body["data"]["me"]["enrolments"]["edges"]) == 20


async def test_what_does_not_compile_is_served_by_graphql_core(
    pair: tuple[GatewayClient, GatewayClient],
) -> None:
    compiled = pair[0]
    introspection = "{ __schema { queryType { name } } probe { greeting } }"
    body = await same_answer(pair, introspection)
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    state = execution_state(compiled.gateway)
    assert state is not None and state.unsupported
    mutation = 'mutation { enrol(courseId: "istm:office-procedure") { id } }'
    await compiled.graphql(mutation, as_learner=ASHA, expect_errors=True)
    metrics = (await compiled.http.get("/metrics")).text
    assert 'karmayogi_graphql_executions_total{executor="graphql_core",reason="unsupported"} 1.0' in metrics
    assert 'karmayogi_graphql_executions_total{executor="graphql_core",reason="mutation"} 1.0' in metrics


async def test_production_masks_and_logs_alike(
    make_gateway: MakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    await make_gateway(load_demo_data=False)  # migrate first, as `karmayogi db upgrade` would
    production: dict[str, Any] = {
        "environment": "production",
        "secret_key": "k" * 40,
        "load_demo_data": False,
        "plugins": production_plugin_settings(),
        "extra_plugins": [("probe", ProbePlugin())],
    }
    compiled = await make_gateway(**production, execution={"compile_after": 1, "verify": "rerun"})
    reference = await make_gateway(**production, execution={"compiled": False})
    query = "{ probe { branch { leaves(count: 2) { value boom } } } }"
    caplog.set_level(logging.ERROR, logger="gateway.errors")
    body = await same_answer((compiled, reference), query, learner=None)
    assert body["errors"][0]["message"] == "Internal server error; quote the requestId to support."
    logged = [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert logged.count("leaf 0 failed") == 2  # process_errors logged it under both executors


ROOTS = ["me", "courses", "providers", "competencies", "organisations", "collections"]


@pytest.mark.parametrize("batch", range(4))
async def test_generated_operations(pair: tuple[GatewayClient, GatewayClient], batch: int) -> None:
    compiled = pair[0]
    await seed(compiled, ASHA, 4, plan=True)
    schema = compiled.gateway.schema._schema
    for seed_value in range(batch * 10, batch * 10 + 10):
        operation = generate(schema, ROOTS, seed_value)
        await same_answer(pair, operation.query, operation.variables)
    state = execution_state(compiled.gateway)
    assert state is not None and len(state.plans) >= 8  # most of them compiled
