"""Composition at start-up: a pinned SDL, clashes and unsupported directives
named, and the composed graph accepted by Apollo's own composition."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gateway.testing import MakeGateway
from plugins.subgraphs.standin.hrms import build_schema
from plugins.subgraphs.standin.server import HrmsStandIn
from schema.errors import StartupError
from tests.federation.compose import compose

HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@shareable", "@requires"])\n'


def pinned(tmp_path: Path, sdl: str) -> str:
    path = tmp_path / "remote.graphql"
    path.write_text(HEADER + sdl)
    return str(path)


async def start(make_gateway: MakeGateway, sdl_file: str, url: str = "http://127.0.0.1:9/graphql") -> Any:
    return await make_gateway(
        plugins={"subgraphs": {"subgraphs": [{"name": "lms", "url": url, "sdl_file": sdl_file}]}}
    )


async def test_a_pinned_sdl_needs_no_subgraph_at_start_up(make_gateway: MakeGateway, tmp_path: Path) -> None:
    sdl = 'type Learner @key(fields: "id") { id: ID! lmsBadges: [String!]! }\ntype Query { lmsNews: [String!]! }'
    client = await start(make_gateway, pinned(tmp_path, sdl))
    body = await client.graphql(
        "{ me { name lmsBadges } lmsNews }", as_learner="learner:demo-asha", expect_errors=True
    )
    # The subgraph is not running: its fields are null with SUBGRAPH_UNAVAILABLE, the rest is served.
    assert body["data"] == {"me": {"name": "Asha Verma", "lmsBadges": None}, "lmsNews": None}
    assert {e["extensions"]["code"] for e in body["errors"]} == {"SUBGRAPH_UNAVAILABLE"}


@pytest.mark.parametrize(
    ("sdl", "named"),
    [
        ('type Learner @key(fields: "id") { id: ID! name: Int! }', "field Learner.name"),
        ('type Learner @key(fields: "id") { id: ID! name: String! }', "field Learner.name"),
        ("type Query { me: String }", "field Query.me"),
        (
            'type Learner @key(fields: "id") { id: ID! email: String @external hours: Int @requires(fields: "email") }',
            "@requires",
        ),
        ('type Learner @key(fields: "email") { id: ID! email: String x: Int }', "type 'Learner'"),
        ("type PageInfo { hasNextPage: Int }", "field PageInfo.hasNextPage"),
        ("interface Thing { id: ID! }\ntype Query { things: [Thing] }", "type 'Thing'"),
        ("type Mutation { enrolElsewhere: Boolean }", "type 'Mutation'"),
    ],
)
async def test_a_clash_stops_start_up_naming_subgraph_type_and_field(
    make_gateway: MakeGateway, tmp_path: Path, sdl: str, named: str
) -> None:
    with pytest.raises(StartupError) as caught:
        await start(make_gateway, pinned(tmp_path, sdl))
    message = str(caught.value)
    assert "Subgraph 'lms'" in message
    assert named in message


async def test_an_unreachable_subgraph_without_a_pin_stops_start_up(make_gateway: MakeGateway) -> None:
    with pytest.raises(StartupError, match=r"Subgraph 'lms': cannot read `_service \{ sdl \}`.*sdl_file"):
        await make_gateway(
            plugins={"subgraphs": {"subgraphs": [{"name": "lms", "url": "http://127.0.0.1:9/graphql"}]}}
        )


async def test_the_composed_graph_passes_apollo_composition(joined: Any, hrms: HrmsStandIn) -> None:
    client = await joined()
    ours = (await client.graphql("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    result = compose(
        [
            {"name": "karmayogi", "url": "http://gateway/graphql", "sdl": ours},
            {"name": "hrms", "url": hrms.url, "sdl": build_schema().as_str()},
        ]
    )
    assert result["errors"] == [], result["errors"]
    supergraph: str = result["supergraphSdl"]
    assert re.search(r"serviceRecord: ServiceRecord @join__field\(graph: HRMS\)", supergraph)
    # And the gateway serves every field the supergraph has for Learner.
    learner = re.search(r"type Learner implements Node\n.*?\{(.*?)\n\}", supergraph, re.S)
    assert learner is not None
    served = (await client.graphql('{ __type(name: "Learner") { fields { name } } }'))["data"]["__type"][
        "fields"
    ]
    assert {f["name"] for f in served} >= {
        m.group(1) for m in re.finditer(r"^  (\w+)[(:]", learner.group(1), re.M)
    }


async def test_local_enums_still_convert_once_a_subgraph_is_joined(
    make_gateway: MakeGateway, tmp_path: Path
) -> None:
    sdl = 'type Learner @key(fields: "id") { id: ID! lmsBadges: [String!]! }\ntype Query { lmsNews: [String!]! }'
    client = await start(make_gateway, pinned(tmp_path, sdl))
    body = await client.graphql('{ organisations(search: "Personnel") { type } }')
    assert {"type": "MINISTRY"} in body["data"]["organisations"]
    from graphql import print_schema

    client.gateway.schema.as_str()  # prints enum default values (organisationRequests' status)
    printed = print_schema(client.gateway.schema._schema)
    assert "lmsBadges" in printed and "OrganisationRequestStatus" in printed and "= PENDING" in printed
