"""The gateway as an Apollo Federation 2 subgraph: SDL, keys, batched _entities,
and composition with another subgraph by Apollo's own composition library."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gateway.testing import GatewayClient, SqlCounter, error_codes
from tests.federation.compose import compose

ENTITIES = """
query ($reps: [_Any!]!) {
  _entities(representations: $reps) {
    __typename
    ... on Learner { id name }
    ... on Organisation { id name }
    ... on Competency { id theme }
    ... on Course { id title }
  }
}
"""

BADGES_SUBGRAPH = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Learner @key(fields: "id") {
  id: ID!
  badges: [String!]!
}

type Query {
  topBadges: [String!]!
}
"""


async def subgraph_sdl(client: GatewayClient) -> str:
    body = await client.graphql("{ _service { sdl } }")
    sdl: str = body["data"]["_service"]["sdl"]
    return sdl


@pytest.mark.parametrize("type_name", ["Learner", "Organisation", "Competency", "Course"])
async def test_sdl_declares_entity_keys(client: GatewayClient, type_name: str) -> None:
    sdl = await subgraph_sdl(client)
    assert re.search(rf'type {type_name} implements Node @key\(fields: "id"\)', sdl)
    assert "https://specs.apollo.dev/federation/v2" in sdl


def reps(type_name: str, *ids: str) -> list[dict[str, str]]:
    return [{"__typename": type_name, "id": i} for i in ids]


def select_count(counter: SqlCounter, table: str) -> int:
    """Batched loads of ``table`` (``WHERE ... IN`` on SQLite, ``= ANY`` on
    PostgreSQL); the test identity's own sign-in lookup (``WHERE id = ...``)
    is not one."""
    return sum(1 for s in counter.selects if re.search(rf"\bFROM {table}\b.*(\bIN\b|= ANY\b)", s, re.S))


async def test_entities_are_loaded_once_per_type(client: GatewayClient, sql_counter: SqlCounter) -> None:
    representations = [
        *reps("Organisation", "org:dopt", "org:istm", "org:haryana"),
        *reps("Competency", "comp:behavioural-leadership-team-building"),
        *reps("Learner", "learner:demo-asha", "learner:demo-rahul", "learner:demo-meena"),
        *reps("Organisation", "org:moe"),
        *reps("Competency", "comp:behavioural-communication-listening"),
        *reps("Course", "istm:office-procedure", "istm:rti-act"),
    ]
    with sql_counter as counter:
        body = await client.graphql(ENTITIES, {"reps": representations}, as_learner="learner:demo-vikram")
    entities = body["data"]["_entities"]
    assert [e["id"] for e in entities] == [r["id"] for r in representations]
    assert [e["__typename"] for e in entities] == [r["__typename"] for r in representations]
    assert entities[0]["name"] == "Department of Personnel and Training"
    assert entities[4]["name"] == "Asha Verma"
    assert entities[3]["theme"] == "Leadership"
    assert select_count(counter, "organisations") <= 2  # entities + vikram's admin scope
    assert select_count(counter, "competencies") == 1
    assert select_count(counter, "learners") == 1


async def test_entities_apply_learner_authorisation(client: GatewayClient) -> None:
    body = await client.graphql(
        ENTITIES,
        {"reps": reps("Learner", "learner:demo-asha", "learner:demo-manoj")},
        as_learner="learner:demo-asha",
        expect_errors=True,
    )
    own, other = body["data"]["_entities"]
    assert own == {"__typename": "Learner", "id": "learner:demo-asha", "name": "Asha Verma"}
    assert other is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["_entities", 1]


async def test_entities_need_a_principal_for_learners(client: GatewayClient) -> None:
    body = await client.graphql(
        ENTITIES,
        {"reps": [*reps("Learner", "learner:demo-asha"), *reps("Organisation", "org:dopt")]},
        expect_errors=True,
    )
    learner, organisation = body["data"]["_entities"]
    assert learner is None
    assert organisation["name"] == "Department of Personnel and Training"
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_unknown_entity_is_null(client: GatewayClient) -> None:
    body = await client.graphql(ENTITIES, {"reps": reps("Organisation", "org:nowhere")})
    assert body["data"]["_entities"] == [None]


async def test_subgraph_composes_with_a_subgraph_extending_learner(client: GatewayClient) -> None:
    result = compose(
        [
            {"name": "karmayogi", "url": "http://a/", "sdl": await subgraph_sdl(client)},
            {"name": "badges", "url": "http://127.0.0.1:2/graphql", "sdl": BADGES_SUBGRAPH},
        ]
    )
    assert result["errors"] == [], result["errors"]
    supergraph: str = result["supergraphSdl"]
    learner = re.search(r"type Learner implements Node\n(.*?)\n\{(.*?)\n\}", supergraph, re.S)
    assert learner is not None
    assert '@join__type(graph: KARMAYOGI, key: "id")' in learner.group(1)
    assert '@join__type(graph: BADGES, key: "id")' in learner.group(1)
    assert "badges: [String!]! @join__field(graph: BADGES)" in learner.group(2)
    assert "organisation: Organisation @join__field(graph: KARMAYOGI)" in learner.group(2)


async def test_composition_errors_are_reported(client: GatewayClient) -> None:
    # Guards the check above: a clashing subgraph must make composition fail.
    clashing = BADGES_SUBGRAPH.replace("badges: [String!]!", "name: Int!")
    result: dict[str, Any] = compose(
        [
            {"name": "karmayogi", "url": "http://a/", "sdl": await subgraph_sdl(client)},
            {"name": "clash", "url": "http://127.0.0.1:2/graphql", "sdl": clashing},
        ]
    )
    assert result["errors"], "composition should reject a field redefined with another type"
    assert result["supergraphSdl"] is None


@pytest.mark.parametrize("who", ["learner:demo-asha", "learner:demo-vikram"])
async def test_unknown_learner_entity_is_null_without_an_error(client: GatewayClient, who: str) -> None:
    """docs/federation.md and the federation spec: an unknown id is null, no
    error, for a learner and for an admin alike; the known ones still answer."""
    body = await client.graphql(
        ENTITIES, {"reps": reps("Learner", "learner:no-such", "learner:demo-asha")}, as_learner=who
    )
    assert "errors" not in body, body
    unknown, asha = body["data"]["_entities"]
    assert unknown is None and asha["name"] == "Asha Verma"
