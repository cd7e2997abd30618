"""The standard introspection queries of GraphiQL, graphql-codegen and
graphql-inspector pass the default limits; introspection has bounds of its
own instead of the depth and cost limits (issue 14, docs/security.md)."""

from __future__ import annotations

import pytest
from graphql import GraphQLError, get_introspection_query, parse

from gateway.limits import analyse
from gateway.settings import LimitsSettings
from gateway.testing import GatewayClient, error_codes

# graphql-js's getIntrospectionQuery options as the three tools send them.
CLIENT_QUERIES = {
    "graphiql": get_introspection_query(descriptions=True, input_value_deprecation=True),
    "codegen": get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True, schema_description=True
    ),
    "inspector": get_introspection_query(descriptions=True),
}


@pytest.mark.parametrize("tool", sorted(CLIENT_QUERIES))
async def test_standard_introspection_passes_the_default_limits(client: GatewayClient, tool: str) -> None:
    body = await client.graphql(CLIENT_QUERIES[tool])
    types = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert {"Query", "Learner", "Course"} <= types


async def test_introspection_depth_is_deeper_than_the_operation_limit(client: GatewayClient) -> None:
    limits = LimitsSettings()
    schema = client.gateway.schema._schema
    analysis = analyse(schema, parse(CLIENT_QUERIES["codegen"]), limits)
    assert analysis.introspection and analysis.depth <= limits.max_depth


async def test_introspection_has_its_own_bounds(client: GatewayClient) -> None:
    schema = client.gateway.schema._schema
    nested = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    with pytest.raises(GraphQLError) as refused:
        analyse(schema, parse(nested), LimitsSettings())
    assert refused.value.original_error.as_extensions()["limit"] == "introspection nesting"  # type: ignore[union-attr]
    deep = '{ __type(name: "Query") { ' + "ofType { " * 25 + "name" + " }" * 27
    with pytest.raises(GraphQLError) as too_deep:
        analyse(schema, parse(deep), LimitsSettings(max_introspection_depth=20))
    assert too_deep.value.original_error.as_extensions()["limit"] == "introspection depth"  # type: ignore[union-attr]


async def test_depth_limit_still_holds_outside_introspection(client: GatewayClient) -> None:
    deep = '{ organisations(search: "a") { ' + "children { " * 14 + "id" + " }" * 16
    body = await client.graphql(deep, expect_errors=True)
    assert error_codes(body) == ["OPERATION_LIMIT"], body
    assert body["errors"][0]["extensions"]["limit"] == "depth"
