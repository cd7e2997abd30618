"""``organisationRequests``: admins find the requests they may decide (who
asked, when, the proposed parent), paged; a learner sees their own."""

from __future__ import annotations

from typing import Any

from gateway.testing import GatewayClient, SqlCounter, error_codes

RAHUL = "learner:demo-rahul"  # plain learner, DoPT
VIKRAM = "learner:demo-vikram"  # MDO admin of DoPT
MANOJ = "learner:demo-manoj"  # state admin of Haryana
SPV = "learner:demo-admin"
GEETA = "learner:demo-geeta"  # no organisation yet

REQUEST = "mutation($input: OrganisationRequestInput!) { requestOrganisation(input: $input) { id } }"
DECIDE = "mutation($id: ID!) { decideOrganisationRequest(id: $id, approve: true) { status } }"
LIST = """
query($mine: Boolean, $status: OrganisationRequestStatus, $first: Int, $after: String) {
  organisationRequests(mine: $mine, status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name status note requestedAt parent { id } requestedBy { id name email } } }
  }
}
"""


async def listed(client: GatewayClient, who: str, **variables: Any) -> dict[str, Any]:
    body = await client.graphql(LIST, variables, as_learner=who)
    result: dict[str, Any] = body["data"]["organisationRequests"]
    return result


async def ask(client: GatewayClient, who: str, name: str, parent: str | None) -> str:
    made = await client.graphql(
        REQUEST, {"input": {"name": name, "parentId": parent, "note": f"for {name}"}}, as_learner=who
    )
    request_id: str = made["data"]["requestOrganisation"]["id"]
    return request_id


async def test_admins_list_the_requests_they_may_decide(client: GatewayClient) -> None:
    dopt = [await ask(client, GEETA, f"DoPT Cell {i}", "org:dopt") for i in range(3)]
    haryana = await ask(client, RAHUL, "Haryana Skills Cell", "org:haryana")
    top = await ask(client, GEETA, "Ministry of Ports", None)

    vikram = await listed(client, VIKRAM, first=2)
    assert vikram["totalCount"] == 3 and vikram["pageInfo"]["hasNextPage"]
    first_page = [e["node"] for e in vikram["edges"]]
    assert [n["id"] for n in first_page] == dopt[:2]  # oldest first
    node = first_page[0]
    assert node["parent"] == {"id": "org:dopt"} and node["status"] == "PENDING"
    assert node["note"] == "for DoPT Cell 0" and node["requestedAt"].endswith("+05:30")
    assert node["requestedBy"]["id"] == GEETA and node["requestedBy"]["name"]
    rest = await listed(client, VIKRAM, first=2, after=vikram["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest["edges"]] == dopt[2:]
    assert not rest["pageInfo"]["hasNextPage"]

    manoj = await listed(client, MANOJ)
    assert [e["node"]["id"] for e in manoj["edges"]] == [haryana]
    spv = await listed(client, SPV)
    assert {e["node"]["id"] for e in spv["edges"]} == {*dopt, haryana, top}

    # Decided requests leave the default (PENDING) list; status: null shows all.
    await client.graphql(DECIDE, {"id": dopt[0]}, as_learner=VIKRAM)
    assert (await listed(client, VIKRAM))["totalCount"] == 2
    assert (await listed(client, VIKRAM, status=None))["totalCount"] == 3
    assert (await listed(client, VIKRAM, status="APPROVED"))["totalCount"] == 1


async def test_a_learner_sees_their_own_requests_and_no_one_elses(client: GatewayClient) -> None:
    mine = await ask(client, RAHUL, "Haryana Skills Cell", "org:haryana")
    await ask(client, GEETA, "DoPT Cell", "org:dopt")
    own = await listed(client, RAHUL, mine=True, status=None)
    assert [e["node"]["id"] for e in own["edges"]] == [mine]
    assert own["edges"][0]["node"]["requestedBy"]["id"] == RAHUL
    refused = await client.graphql(LIST, {}, as_learner=RAHUL, expect_errors=True)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert "mine: true" in refused["errors"][0]["message"]
    # Another tree's admin sees neither the request nor who asked.
    node = await client.graphql(
        "query($id: ID!) { node(id: $id) { ... on OrganisationRequest { requestedBy { id } } } }",
        {"id": mine},
        as_learner=VIKRAM,
        expect_errors=True,
    )
    assert error_codes(node) == ["FORBIDDEN"]
    signed_out = await client.graphql(LIST, {"mine": True}, expect_errors=True)
    assert error_codes(signed_out) == ["UNAUTHENTICATED"]


async def test_bad_paging_is_the_clients_mistake(client: GatewayClient) -> None:
    for variables in ({"first": 101}, {"first": -1}, {"after": "bm90LWEtY3Vyc29y"}):
        body = await client.graphql(LIST, variables, as_learner=SPV, expect_errors=True)
        assert error_codes(body) == ["BAD_USER_INPUT"], variables


async def test_one_page_costs_a_fixed_number_of_statements(
    client: GatewayClient, sql_counter: SqlCounter
) -> None:
    for i in range(6):
        await ask(client, GEETA, f"DoPT Cell {i}", "org:dopt")
    counts = []
    for first in (2, 6):
        with sql_counter as counter:
            await listed(client, VIKRAM, first=first)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts  # requesters and parents are batched
