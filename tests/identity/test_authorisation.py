"""Scopes enforced in gateway.authz, seen through real session tokens."""

from __future__ import annotations

import pytest
import strawberry
from strawberry import Info

from gateway.authz import require_active_learner
from gateway.context import context_of
from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow
from gateway.hookspecs import hookimpl
from gateway.testing import GatewayClient, MakeGateway, error_codes
from schema.contribution import SchemaContribution
from tests.identity.helpers import bearer

LEARNER = '{ learner(id: "%s") { id name email mobile } }'
NODE = '{ node(id: "%s") { id ... on Learner { name email } } }'


async def ask(client: GatewayClient, who: str, query: str, variables: dict | None = None) -> dict:  # type: ignore[type-arg]
    token = await client.session_token(who)
    return await client.graphql(query, variables, headers=bearer(token), expect_errors=True)


@pytest.mark.parametrize("query", [LEARNER, NODE], ids=["learner", "node"])
async def test_mdo_admin_reads_their_subtree_and_is_forbidden_outside(
    client: GatewayClient, query: str
) -> None:
    inside = await ask(client, "learner:demo-vikram", query % "learner:demo-asha")
    field = "learner" if query is LEARNER else "node"
    assert inside["data"][field]["name"] == "Asha Verma"
    assert inside["data"][field]["email"] == "asha.verma@dopt.gov.in"
    if field == "learner":
        assert inside["data"][field]["mobile"] == "******3210"  # masked for all but the learner
    outside = await ask(client, "learner:demo-vikram", query % "learner:demo-manoj")
    assert error_codes(outside) == ["FORBIDDEN"]
    assert outside["data"][field] is None


async def test_learners_see_only_themselves(client: GatewayClient) -> None:
    own = await ask(client, "learner:demo-asha", LEARNER % "learner:demo-asha")
    assert own["data"]["learner"]["mobile"] == "9876543210"
    other = await ask(client, "learner:demo-asha", LEARNER % "learner:demo-rahul")
    assert error_codes(other) == ["FORBIDDEN"]


async def test_state_and_spv_admins(client: GatewayClient) -> None:
    # learner:demo-manoj is STATE_ADMIN of Haryana; learner:demo-admin is SPV_ADMIN.
    assert error_codes(await ask(client, "learner:demo-manoj", LEARNER % "learner:demo-asha")) == [
        "FORBIDDEN"
    ]
    spv = await ask(client, "learner:demo-admin", LEARNER % "learner:demo-manoj")
    assert spv["data"]["learner"]["id"] == "learner:demo-manoj"


GRANT = (
    "mutation($l: ID!, $r: Role!, $o: ID) { grantRole(learnerId: $l, role: $r, organisationId: $o)"
    " { id roles } }"
)


async def test_only_spv_admins_grant_roles(client: GatewayClient) -> None:
    variables = {"l": "learner:demo-asha", "r": "MDO_ADMIN", "o": "org:dopt"}
    refused = await ask(client, "learner:demo-vikram", GRANT, variables)
    assert error_codes(refused) == ["FORBIDDEN"]
    granted = await ask(client, "learner:demo-admin", GRANT, variables)
    assert granted["data"]["grantRole"]["roles"] == ["LEARNER", "MDO_ADMIN"]
    now_admin = await ask(client, "learner:demo-asha", LEARNER % "learner:demo-rahul")
    assert now_admin["data"]["learner"]["name"] == "Rahul Nair"
    bad = await ask(
        client,
        "learner:demo-admin",
        GRANT,
        {"l": "learner:demo-asha", "r": "STATE_ADMIN", "o": "org:dopt"},
    )
    assert error_codes(bad) == ["BAD_USER_INPUT"]


async def add_pending(client: GatewayClient, org: str | None = "org:dopt") -> str:
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        session.add(
            LearnerRow(
                id="learner:pending-ravi",
                name="Ravi Pending",
                email="ravi@iitd.ac.in",
                organisation_id=org,
                designation="Consultant",
                status="PENDING",
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
    return "learner:pending-ravi"


DECIDE = "mutation($id: ID!, $a: Boolean!) { decideLearner(id: $id, approve: $a) { id status } }"
PENDING = "query($o: ID) { pendingLearners(organisationId: $o) { id status } }"


async def test_org_admins_approve_pending_learners(client: GatewayClient) -> None:
    pending = await add_pending(client)
    listed = await ask(client, "learner:demo-vikram", PENDING, {"o": "org:dopt"})
    assert listed["data"]["pendingLearners"] == [{"id": pending, "status": "PENDING"}]
    assert error_codes(await ask(client, "learner:demo-manoj", PENDING, {"o": "org:dopt"})) == ["FORBIDDEN"]
    assert error_codes(await ask(client, "learner:demo-manoj", DECIDE, {"id": pending, "a": True})) == [
        "FORBIDDEN"
    ]
    approved = await ask(client, "learner:demo-vikram", DECIDE, {"id": pending, "a": True})
    assert approved["data"]["decideLearner"] == {"id": pending, "status": "ACTIVE"}
    again = await ask(client, "learner:demo-vikram", DECIDE, {"id": pending, "a": False})
    assert error_codes(again) == ["CONFLICT"]


async def test_rejecting_disables_and_ends_sessions(client: GatewayClient) -> None:
    pending = await add_pending(client)
    token = await client.session_token(pending)
    rejected = await ask(client, "learner:demo-vikram", DECIDE, {"id": pending, "a": False})
    assert rejected["data"]["decideLearner"]["status"] == "DISABLED"
    body = await client.graphql("{ me { id } }", headers=bearer(token), expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_pending_learner_without_organisation_is_for_spv(client: GatewayClient) -> None:
    pending = await add_pending(client, org=None)
    assert error_codes(await ask(client, "learner:demo-vikram", DECIDE, {"id": pending, "a": True})) == [
        "FORBIDDEN"
    ]
    everyone = await ask(client, "learner:demo-admin", PENDING)
    assert [p["id"] for p in everyone["data"]["pendingLearners"]] == [pending]


class EnrolProbe:
    """Stands in for the passbook: its enrol checks require_active_learner."""

    @hookimpl
    def register_schema(self, gateway: object) -> SchemaContribution:
        async def probe_enrol(info: Info) -> str:
            learner = await require_active_learner(context_of(info))
            return learner.id

        return SchemaContribution(mutation=[strawberry.mutation(resolver=probe_enrol)])


async def test_pending_learners_browse_and_edit_their_profile_but_cannot_enrol(
    make_gateway: MakeGateway,
) -> None:
    client = await make_gateway(extra_plugins=[("enrol_probe", EnrolProbe())])
    pending = await add_pending(client)
    browse = await ask(client, pending, '{ me { status } organisations(search: "Personnel") { id } }')
    assert browse["data"]["me"]["status"] == "PENDING" and browse["data"]["organisations"]
    profile = await ask(
        client,
        pending,
        'mutation { completeProfile(input: {organisationId: "org:dopt", designation: "Consultant"})'
        " { profileComplete } }",
    )
    assert profile["data"]["completeProfile"]["profileComplete"] is True
    enrol = await ask(client, pending, "mutation { probeEnrol }")
    assert error_codes(enrol) == ["FORBIDDEN"]
    assert enrol["errors"][0]["extensions"]["reason"] == "PENDING_APPROVAL"
    active = await ask(client, "learner:demo-asha", "mutation { probeEnrol }")
    assert active["data"] == {"probeEnrol": "learner:demo-asha"}
    async with client.gateway.db.sessionmaker() as session:
        assert (await session.get(LearnerRow, pending)).status == "PENDING"  # type: ignore[union-attr]
