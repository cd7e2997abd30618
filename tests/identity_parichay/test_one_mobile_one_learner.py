"""One verified mobile number belongs to at most one learner: a database
constraint; a conflicting sign-in is refused with what to do, recorded for
admins, who see and resolve it; two concurrent sign-ins make one learner."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow, MobileConflictRow
from gateway.testing import GatewayClient, MakeGateway, error_codes
from schema.identity import SignInRefused, VerifiedIdentity
from schema.services import SIGN_IN
from tests.identity_parichay.flow import counts, graphql, parichay_gateway, sign_in
from tests.identity_parichay.provider import RunningProvider

ASHA_MOBILE = "9876543210"  # learner:demo-asha's
CONFLICTS = "{ mobileConflicts { id mobile claimantEmail claimantName holder { id } } }"
RESOLVE = (
    "mutation($id: ID!, $release: Boolean!) { resolveMobileConflict(id: $id, releaseMobile: $release) "
    "{ resolution } }"
)


@pytest.fixture
async def client(make_gateway: MakeGateway, provider: RunningProvider) -> GatewayClient:
    return await parichay_gateway(make_gateway, provider, jan=True)


async def holders(client: GatewayClient, mobile: str) -> list[str]:
    async with client.gateway.db.sessionmaker() as session:
        return list((await session.scalars(select(LearnerRow.id).where(LearnerRow.mobile == mobile))).all())


async def test_the_database_refuses_a_second_learner_with_one_number(client: GatewayClient) -> None:
    with pytest.raises(IntegrityError):
        async with client.gateway.db.write_sessionmaker() as session, session.begin():
            session.add(
                LearnerRow(
                    id="learner:copy",
                    name="Copy",
                    mobile=ASHA_MOBILE,
                    status="ACTIVE",
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
    assert await holders(client, ASHA_MOBILE) == ["learner:demo-asha"]


async def test_a_sign_in_with_someone_elses_number_is_refused_and_seen_by_admins(
    client: GatewayClient,
) -> None:
    learners, sessions = await counts(client)
    answer = await sign_in(client.browser(), "parichay", "suresh")
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "CONFLICT"
    assert "already belongs to another" in error["message"] and "a***@dopt.gov.in" in error["message"]
    assert ASHA_MOBILE not in error["message"]
    assert await counts(client) == (learners, sessions)
    assert await holders(client, ASHA_MOBILE) == ["learner:demo-asha"]

    # Asha, the real holder, still signs in by Jan Parichay once onboarded.
    vikram = await client.session_token("learner:demo-vikram")
    await client.graphql(
        'mutation { onboardMobile(organisationId: "org:dopt", mobile: "9876543210") { mobile } }',
        headers={"Authorization": f"Bearer {vikram}"},
    )
    jan = client.browser()
    assert (await sign_in(jan, "janparichay", "jan-asha")).status_code == 303
    assert (await graphql(jan, "{ me { id } }")).json()["data"]["me"]["id"] == "learner:demo-asha"

    # The admin of Asha's organisation sees the conflict; another tree's does not.
    seen = await client.graphql(CONFLICTS, as_learner="learner:demo-vikram")
    (conflict,) = seen["data"]["mobileConflicts"]
    assert conflict["claimantEmail"] == "suresh.p@dopt.gov.in" and conflict["mobile"] == "******3210"
    assert conflict["holder"] == {"id": "learner:demo-asha"}
    other = await client.graphql(CONFLICTS, as_learner="learner:demo-manoj")
    assert other["data"]["mobileConflicts"] == []
    plain = await client.graphql(CONFLICTS, as_learner="learner:demo-rahul", expect_errors=True)
    assert error_codes(plain) == ["FORBIDDEN"]

    # Resolving: release the number; Suresh's next sign-in gets it.
    denied = await client.graphql(
        RESOLVE, {"id": conflict["id"], "release": True}, as_learner="learner:demo-manoj", expect_errors=True
    )
    assert error_codes(denied) == ["FORBIDDEN"]
    done = await client.graphql(
        RESOLVE, {"id": conflict["id"], "release": True}, as_learner="learner:demo-vikram"
    )
    assert done["data"]["resolveMobileConflict"]["resolution"] == "RELEASED"
    assert await holders(client, ASHA_MOBILE) == []
    assert (await sign_in(client.browser(), "parichay", "suresh")).status_code == 303
    (suresh,) = await holders(client, ASHA_MOBILE)
    assert suresh != "learner:demo-asha"
    again = await client.graphql(CONFLICTS, as_learner="learner:demo-vikram")
    assert again["data"]["mobileConflicts"] == []


async def test_two_concurrent_sign_ins_with_one_number_make_one_learner(client: GatewayClient) -> None:
    service = client.gateway.service(SIGN_IN)
    mobile = "9811199999"
    identities = [
        VerifiedIdentity("parichay", f"twin.{i}@dopt.gov.in", mobile, f"Twin {i}") for i in range(2)
    ]
    results = await asyncio.gather(*(service.sign_in(i) for i in identities), return_exceptions=True)
    made = [r for r in results if isinstance(r, LearnerRow)]
    refused = [r for r in results if isinstance(r, SignInRefused)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].status == 409
    assert await holders(client, mobile) == [made[0].id]
    async with client.gateway.db.sessionmaker() as session:
        recorded = await session.scalar(
            select(func.count()).select_from(MobileConflictRow).where(MobileConflictRow.mobile == mobile)
        )
    assert recorded == 1


async def test_onboarding_a_number_again_under_another_name_is_a_conflict(client: GatewayClient) -> None:
    admin = await client.session_token("learner:demo-vikram")
    onboard = (
        "mutation($name: String) { onboardMobile("
        'organisationId: "org:dopt", mobile: "9822233344", name: $name) { name } }'
    )
    first = await client.graphql(
        onboard, {"name": "Ramesh Kumar"}, headers={"Authorization": f"Bearer {admin}"}
    )
    assert first["data"]["onboardMobile"]["name"] == "Ramesh Kumar"
    same = await client.graphql(
        onboard, {"name": "ramesh  kumar"}, headers={"Authorization": f"Bearer {admin}"}
    )
    assert same["data"]["onboardMobile"]["name"] == "Ramesh Kumar"
    other = await client.graphql(
        onboard, {"name": "Sunita Devi"}, headers={"Authorization": f"Bearer {admin}"}, expect_errors=True
    )
    assert error_codes(other) == ["CONFLICT"]
    assert "Ramesh Kumar" in other["errors"][0]["message"]
