"""Directory and competencies: queries, profile, organisation requests, scopes."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from gateway.directory.models import LearnerRow, OrganisationRequestRow, OrganisationRow
from gateway.testing import GatewayClient, error_codes

ASHA = "learner:demo-asha"  # Section Officer, DoPT
RAHUL = "learner:demo-rahul"  # ASO, DoPT (plain learner)
VIKRAM = "learner:demo-vikram"  # MDO admin of DoPT
MANOJ = "learner:demo-manoj"  # state admin of Haryana
DEEPAK = "learner:demo-deepak"  # Haryana revenue
SPV = "learner:demo-admin"
GEETA = "learner:demo-geeta"  # no organisation yet

REQUEST = """mutation($input: OrganisationRequestInput!) {
  requestOrganisation(input: $input) { id name status parent { id } requestedAt }
}"""
DECIDE = """mutation($id: ID!, $approve: Boolean!, $reason: String) {
  decideOrganisationRequest(id: $id, approve: $approve, reason: $reason) { id status reason decidedAt }
}"""
PROFILE = """mutation($input: ProfileInput!) {
  completeProfile(input: $input) {
    designation group profileComplete organisation { id name }
    workExperience { designation from to organisation { id } }
  }
}"""


async def count(client: GatewayClient, model: type) -> int:
    async with client.gateway.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_organisations_children_root_and_parent(client: GatewayClient) -> None:
    body = await client.graphql(
        '{ organisations(search: "Secretariat Training") { id name type isContentProvider isDemo '
        "parent { id } root { id name } children { id } } }"
    )
    (istm,) = body["data"]["organisations"]
    assert istm["id"] == "org:istm" and istm["type"] == "TRAINING_INSTITUTE"
    assert istm["isContentProvider"] is True and istm["isDemo"] is True
    assert istm["parent"] == {"id": "org:dopt"}
    assert istm["root"]["id"] == "org:mopgp"


async def test_organisations_without_arguments_are_the_tops_and_parent_id_lists_children(
    client: GatewayClient,
) -> None:
    tops = (await client.graphql("{ organisations { id type } }"))["data"]["organisations"]
    assert {o["type"] for o in tops} == {"MINISTRY", "STATE"}
    assert {"org:haryana", "org:mopgp"} <= {o["id"] for o in tops}
    kids = await client.graphql('{ organisations(parentId: "org:haryana") { id } }')
    assert {"org:hr-gad", "org:hr-revenue", "org:hr-health"} == {
        o["id"] for o in kids["data"]["organisations"]
    }


async def test_unknown_parent_is_not_found(client: GatewayClient) -> None:
    body = await client.graphql('{ organisations(parentId: "org:nowhere") { id } }', expect_errors=True)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_search_treats_like_wildcards_literally(client: GatewayClient) -> None:
    body = await client.graphql('{ organisations(search: "%") { id } }')
    assert body["data"]["organisations"] == []


async def test_competencies_filter_by_area_and_search(client: GatewayClient) -> None:
    body = await client.graphql(
        "{ all: competencies { id } domain: competencies(area: DOMAIN) { area } "
        'gem: competencies(search: "gem buy") { id theme subTheme } }'
    )
    data = body["data"]
    assert len(data["all"]) >= 40
    assert {c["area"] for c in data["domain"]} == {"DOMAIN"}
    assert data["gem"] == [
        {"id": "comp:functional-procurement-gem-buying", "theme": "Procurement", "subTheme": "GeM buying"}
    ]


async def test_complete_profile_sets_fields_and_profile_complete(client: GatewayClient) -> None:
    before = await client.graphql("{ me { profileComplete } }", as_learner=GEETA)
    assert before["data"]["me"]["profileComplete"] is False
    body = await client.graphql(
        PROFILE,
        {
            "input": {
                "organisationId": "org:dopt",
                "designation": "  Assistant   Section Officer ",
                "group": "GROUP_B",
                "workExperience": [
                    {
                        "organisationId": "org:doe",
                        "designation": "Assistant",
                        "from": "2019-04-01",
                        "to": "2023-03-31",
                    }
                ],
            }
        },
        as_learner=GEETA,
    )
    learner = body["data"]["completeProfile"]
    assert learner["profileComplete"] is True
    assert learner["designation"] == "Assistant Section Officer"
    assert learner["organisation"] == {"id": "org:dopt", "name": "Department of Personnel and Training"}
    assert learner["workExperience"] == [
        {
            "designation": "Assistant",
            "from": "2019-04-01",
            "to": "2023-03-31",
            "organisation": {"id": "org:doe"},
        }
    ]


async def test_bad_profile_input_changes_nothing(client: GatewayClient) -> None:
    cases = [
        ({"organisationId": "org:nowhere", "designation": "ASO"}, "NOT_FOUND"),
        ({"organisationId": "org:dopt", "designation": "   "}, "BAD_USER_INPUT"),
        ({"organisationId": "org:dopt", "designation": "x" * 300}, "BAD_USER_INPUT"),
        (
            {
                "organisationId": "org:dopt",
                "designation": "ASO",
                "workExperience": [{"designation": "A", "from": "2020-01-01", "to": "2019-01-01"}],
            },
            "BAD_USER_INPUT",
        ),
        (
            {
                "organisationId": "org:dopt",
                "designation": "ASO",
                "workExperience": [
                    {"organisationId": "org:nowhere", "designation": "A", "from": "2020-01-01"}
                ],
            },
            "NOT_FOUND",
        ),
        (
            {
                "organisationId": "org:dopt",
                "designation": "ASO",
                "workExperience": [{"designation": "A", "from": "2020-13-01"}],
            },
            "BAD_USER_INPUT",
        ),
    ]
    for profile, code in cases:
        body = await client.graphql(PROFILE, {"input": profile}, as_learner=GEETA, expect_errors=True)
        assert error_codes(body) == [code], profile
        assert body["_status"] in (200, 400)
    async with client.gateway.db.sessionmaker() as session:
        geeta = await session.get(LearnerRow, GEETA)
    assert geeta is not None and geeta.organisation_id is None and geeta.designation is None


async def test_complete_profile_needs_sign_in(client: GatewayClient) -> None:
    body = await client.graphql(
        PROFILE, {"input": {"organisationId": "org:dopt", "designation": "ASO"}}, expect_errors=True
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_organisation_request_lifecycle(client: GatewayClient) -> None:
    made = await client.graphql(
        REQUEST, {"input": {"name": "Centre for Good Governance", "parentId": "org:dopt"}}, as_learner=GEETA
    )
    request = made["data"]["requestOrganisation"]
    assert request["status"] == "PENDING" and request["parent"] == {"id": "org:dopt"}
    assert request["requestedAt"].endswith("+05:30")

    denied = await client.graphql(
        DECIDE, {"id": request["id"], "approve": True}, as_learner=RAHUL, expect_errors=True
    )
    assert error_codes(denied) == ["FORBIDDEN"]
    other_tree = await client.graphql(
        DECIDE, {"id": request["id"], "approve": True}, as_learner=MANOJ, expect_errors=True
    )
    assert error_codes(other_tree) == ["FORBIDDEN"]

    approved = await client.graphql(DECIDE, {"id": request["id"], "approve": True}, as_learner=VIKRAM)
    assert approved["data"]["decideOrganisationRequest"]["status"] == "APPROVED"
    children = await client.graphql('{ organisations(parentId: "org:dopt") { name root { id } } }')
    assert {"name": "Centre for Good Governance", "root": {"id": "org:mopgp"}} in children["data"][
        "organisations"
    ]

    again = await client.graphql(
        DECIDE,
        {"id": request["id"], "approve": False, "reason": "late"},
        as_learner=VIKRAM,
        expect_errors=True,
    )
    assert error_codes(again) == ["CONFLICT"]


async def test_top_level_requests_are_decided_by_spv_admins_only(client: GatewayClient) -> None:
    made = await client.graphql(REQUEST, {"input": {"name": "Ministry of Ports"}}, as_learner=GEETA)
    request_id = made["data"]["requestOrganisation"]["id"]
    for admin in (VIKRAM, MANOJ):
        body = await client.graphql(
            DECIDE, {"id": request_id, "approve": True}, as_learner=admin, expect_errors=True
        )
        assert error_codes(body) == ["FORBIDDEN"]
    no_reason = await client.graphql(
        DECIDE, {"id": request_id, "approve": False}, as_learner=SPV, expect_errors=True
    )
    assert error_codes(no_reason) == ["BAD_USER_INPUT"]
    rejected = await client.graphql(
        DECIDE,
        {"id": request_id, "approve": False, "reason": "Already exists as a department"},
        as_learner=SPV,
    )
    assert rejected["data"]["decideOrganisationRequest"]["status"] == "REJECTED"
    assert rejected["data"]["decideOrganisationRequest"]["reason"] == "Already exists as a department"
    assert await count(client, OrganisationRow) == 24  # nothing was created


async def test_bad_organisation_requests_store_nothing(client: GatewayClient) -> None:
    orgs_before = await count(client, OrganisationRow)
    cases = [
        ({"name": "   "}, "BAD_USER_INPUT"),
        ({"name": "x" * 300}, "BAD_USER_INPUT"),
        ({"name": "Somewhere", "parentId": "org:nowhere"}, "NOT_FOUND"),
        ({"name": "Department of Personnel and Training", "parentId": "org:mopgp"}, "CONFLICT"),
    ]
    for payload, code in cases:
        body = await client.graphql(REQUEST, {"input": payload}, as_learner=GEETA, expect_errors=True)
        assert error_codes(body) == [code], payload
    assert await count(client, OrganisationRequestRow) == 0
    assert await count(client, OrganisationRow) == orgs_before
    unknown = await client.graphql(
        DECIDE, {"id": "orgreq:nope", "approve": True}, as_learner=SPV, expect_errors=True
    )
    assert error_codes(unknown) == ["NOT_FOUND"]


async def test_second_pending_request_for_the_same_name_conflicts_even_concurrently(
    client: GatewayClient,
) -> None:
    payload = {"input": {"name": "Bureau of Civil Aviation Security", "parentId": "org:mopgp"}}
    bodies = await asyncio.gather(
        *[client.graphql(REQUEST, payload, as_learner=GEETA, expect_errors=True) for _ in range(8)]
    )
    codes = [error_codes(b) for b in bodies]
    assert codes.count([]) == 1
    assert all(c == ["CONFLICT"] for c in codes if c)
    spelled_differently = await client.graphql(
        REQUEST,
        {"input": {"name": "bureau of civil  aviation security", "parentId": "org:mopgp"}},
        as_learner=GEETA,
        expect_errors=True,
    )
    assert error_codes(spelled_differently) == ["CONFLICT"]
    assert await count(client, OrganisationRequestRow) == 1


async def test_learner_scopes_through_learner_and_node(client: GatewayClient) -> None:
    query = "query($id: ID!) { learner(id: $id) { name email mobile } node(id: $id) { id ... on Learner { name } } }"
    mine = await client.graphql(query, {"id": ASHA}, as_learner=VIKRAM)
    assert mine["data"]["learner"]["email"] == "asha.verma@dopt.gov.in"
    assert mine["data"]["learner"]["mobile"] == "******3210"
    assert mine["data"]["node"]["name"] == "Asha Verma"

    outside = await client.graphql(query, {"id": DEEPAK}, as_learner=VIKRAM, expect_errors=True)
    assert sorted(error_codes(outside)) == ["FORBIDDEN", "FORBIDDEN"]
    state = await client.graphql(query, {"id": DEEPAK}, as_learner=MANOJ)
    assert state["data"]["learner"]["name"] == "Deepak Yadav"

    peer = await client.graphql(query, {"id": ASHA}, as_learner=RAHUL, expect_errors=True)
    assert "FORBIDDEN" in error_codes(peer)
    anonymous = await client.graphql(query, {"id": ASHA}, expect_errors=True)
    assert "UNAUTHENTICATED" in error_codes(anonymous)

    me = await client.graphql("{ me { mobile email roles } }", as_learner=ASHA)
    assert me["data"]["me"] == {
        "mobile": "9876543210",
        "email": "asha.verma@dopt.gov.in",
        "roles": ["LEARNER"],
    }
    admin_roles = await client.graphql("{ me { roles } }", as_learner=VIKRAM)
    assert admin_roles["data"]["me"]["roles"] == ["LEARNER", "MDO_ADMIN"]


async def test_node_resolves_organisations_and_competencies(client: GatewayClient) -> None:
    body = await client.graphql(
        '{ o: node(id: "org:ignou") { id ... on Organisation { name } } '
        'c: node(id: "comp:domain-digital-governance-artificial-intelligence") { ... on Competency { theme subTheme } } '
        'n: node(id: "org:missing") { id } x: node(id: "no-prefix") { id } }'
    )
    data = body["data"]
    assert data["o"]["name"] == "Indira Gandhi National Open University"
    assert data["c"] == {"theme": "Digital governance", "subTheme": "Artificial intelligence"}
    assert data["n"] is None and data["x"] is None


async def test_me_is_null_when_signed_out(client: GatewayClient) -> None:
    assert (await client.graphql("{ me { id } }"))["data"]["me"] is None
