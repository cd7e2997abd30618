"""Curated collections: from providers' feeds and state modules, mixing providers."""

from __future__ import annotations

from gateway.hookspecs import hookimpl
from gateway.host import Gateway
from gateway.testing import GatewayClient, MakeGateway
from schema.providers import CollectionRecord

QUERY = """query($d: String) { collections(designation: $d) {
  id title designations curatedBy { id } courses { id provider { id } } } }"""


async def test_demo_collections_mix_providers(client: GatewayClient) -> None:
    body = await client.graphql(QUERY)
    collections = body["data"]["collections"]
    assert len(collections) >= 4
    mixed = [c for c in collections if len({x["provider"]["id"] for x in c["courses"]}) > 1]
    assert any(c["id"] == "collection:istm-digital-literacy" for c in mixed)
    literacy = next(c for c in collections if c["title"] == "Digital Literacy")
    assert {"istm:cyber-hygiene", "istm:office-tools", "istm:data-privacy", "ignou:cit"} <= {
        x["id"] for x in literacy["courses"]
    }
    assert literacy["designations"] == [] and literacy["curatedBy"]["id"] == "org:istm"


async def test_a_designation_gets_its_own_collections_first_then_general_ones(
    client: GatewayClient,
) -> None:
    body = await client.graphql(QUERY, {"d": "section officer"})
    collections = body["data"]["collections"]
    own = [c for c in collections if c["designations"]]
    general = [c for c in collections if not c["designations"]]
    assert collections == own + general and own and general
    assert all("Section Officer" in c["designations"] for c in own)
    assert "For New Section Officers" in [c["title"] for c in own]
    other = await client.graphql(QUERY, {"d": "Chief Engineer"})
    assert all(c["designations"] == [] for c in other["data"]["collections"])
    node = await client.graphql(
        '{ node(id: "collection:istm-new-section-officers") { id ... on Collection { title } } }'
    )
    assert node["data"]["node"]["title"] == "For New Section Officers"


class StateModule:
    @hookimpl
    def register_collections(self, gateway: Gateway) -> list[CollectionRecord]:
        return [
            CollectionRecord(
                id="collection:haryana-field-officers",
                title="Haryana field officers",
                description="Disaster response and grievances for field officials.",
                curated_by="org:haryana",
                course_ids=("ignou:cdm", "istm:rti-act", "ignou:nope"),
                designations=("Naib Tehsildar",),
            ),
            CollectionRecord(
                id="collection:nowhere",
                title="From an organisation the directory lacks",
                description="Hidden until the organisation exists.",
                curated_by="org:nowhere",
                course_ids=("istm:rti-act",),
            ),
        ]


async def test_state_modules_add_collections_across_providers(make_gateway: MakeGateway) -> None:
    client = await make_gateway(extra_plugins=[("state_module_test", StateModule())])
    body = await client.graphql(QUERY, {"d": "Naib Tehsildar"})
    ids = [c["id"] for c in body["data"]["collections"]]
    assert ids[0] in ("collection:haryana-field-officers", "collection:istm-citizen-services")
    haryana = next(c for c in body["data"]["collections"] if c["id"].startswith("collection:har"))
    assert [x["id"] for x in haryana["courses"]] == ["ignou:cdm", "istm:rti-act"]
    assert "collection:nowhere" not in ids
