"""Jan Parichay: sign-in by verified mobile, only for onboarded numbers, and
one learner per person across Parichay and Jan Parichay."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.testing import GatewayClient, MakeGateway, error_codes
from plugins.identity_parichay.models import OnboardedMobileRow
from tests.identity_parichay.flow import counts, graphql, parichay_gateway, sign_in
from tests.identity_parichay.provider import RunningProvider

ONBOARD = (
    "mutation($org: ID!, $mobile: String!, $name: String) { onboardMobile("
    "organisationId: $org, mobile: $mobile, name: $name) { mobile name organisation { id } } }"
)
ME = "{ me { id name email mobile status organisation { id } } }"


@pytest.fixture
async def client(make_gateway: MakeGateway, provider: RunningProvider) -> GatewayClient:
    return await parichay_gateway(make_gateway, provider, jan=True)


async def onboard(client: GatewayClient, admin: str, org: str, mobile: str) -> dict[str, object]:
    token = await client.session_token(admin)
    return await client.graphql(
        ONBOARD,
        {"org": org, "mobile": mobile, "name": "Ramesh Kumar"},
        headers={"Authorization": f"Bearer {token}"},
        expect_errors=True,
    )


async def test_a_mobile_nobody_onboarded_is_refused(client: GatewayClient) -> None:
    before = await counts(client)
    answer = await sign_in(client.browser(), "janparichay", "jan-nobody")
    assert answer.status_code == 403
    assert "nodal officer" in answer.json()["error"]["message"]
    assert await counts(client) == before


async def test_onboarded_mobile_signs_in_and_parichay_later_finds_the_same_learner(
    client: GatewayClient,
) -> None:
    body = await onboard(client, "learner:demo-vikram", "org:dopt", "+91-98222-33344")
    assert body["data"]["onboardMobile"] == {  # type: ignore[index]
        "mobile": "9822233344",
        "name": "Ramesh Kumar",
        "organisation": {"id": "org:dopt"},
    }
    learners, _ = await counts(client)

    jan = client.browser()
    assert (await sign_in(jan, "janparichay", "jan-ramesh")).status_code == 303
    me = (await graphql(jan, ME)).json()["data"]["me"]
    assert me["email"] is None and me["mobile"] == "9822233344"
    assert me["organisation"] == {"id": "org:dopt"} and me["status"] == "ACTIVE"
    assert (await counts(client))[0] == learners + 1

    parichay = client.browser()
    assert (await sign_in(parichay, "parichay", "ramesh")).status_code == 303
    again = (await graphql(parichay, ME)).json()["data"]["me"]
    assert again["id"] == me["id"], "one person, one learner"
    assert again["email"] == "ramesh.k@dopt.gov.in"
    assert (await counts(client))[0] == learners + 1


async def test_parichay_learner_signing_in_by_jan_parichay_stays_one_learner(
    client: GatewayClient,
) -> None:
    # learner:demo-asha signed up through Parichay with mobile 9876543210.
    await onboard(client, "learner:demo-vikram", "org:dopt", "9876543210")
    learners, _ = await counts(client)
    jan = client.browser()
    assert (await sign_in(jan, "janparichay", "jan-asha")).status_code == 303
    me = (await graphql(jan, ME)).json()["data"]["me"]
    assert me["id"] == "learner:demo-asha"
    assert (await counts(client))[0] == learners


@pytest.mark.parametrize(
    ("admin", "org"),
    [("learner:demo-asha", "org:dopt"), ("learner:demo-vikram", "org:haryana")],
)
async def test_only_admins_of_the_organisation_onboard(client: GatewayClient, admin: str, org: str) -> None:
    body = await onboard(client, admin, org, "9822233344")
    assert error_codes(body) == ["FORBIDDEN"]
    async with client.gateway.db.sessionmaker() as session:
        assert await session.get(OnboardedMobileRow, "9822233344") is None


async def test_bad_and_conflicting_numbers(client: GatewayClient) -> None:
    assert error_codes(await onboard(client, "learner:demo-admin", "org:dopt", "12345")) == ["BAD_USER_INPUT"]
    await onboard(client, "learner:demo-admin", "org:dopt", "9822233344")
    same = await onboard(client, "learner:demo-admin", "org:dopt", "9822233344")
    assert not same.get("errors")
    other = await onboard(client, "learner:demo-admin", "org:haryana", "9822233344")
    assert error_codes(other) == ["CONFLICT"]


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOG_JSON": "false"}
    env.pop("KARMAYOGI_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-c", "from gateway.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_onboards_a_csv_all_or_nothing(
    client: GatewayClient, database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("mobile,organisation_id,name\n9811100001,org:dopt,A\n98111,org:dopt,B\n")
    result = run_cli(database_url, "learners", "onboard", str(bad))
    assert result.returncode == 1 and "line 3: '98111'" in result.stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("mobile,organisation_id\n9811100001,org:dopt\n9811100002,org:nowhere\n")
    result = run_cli(database_url, "learners", "onboard", str(unknown))
    assert result.returncode == 1 and "line 3" in result.stderr and "org:nowhere" in result.stderr
    async with client.gateway.db.sessionmaker() as session:
        assert await session.get(OnboardedMobileRow, "9811100001") is None

    # Every bad line is named: those the file shows and those the database shows.
    several = tmp_path / "several.csv"
    several.write_text(
        "mobile,organisation_id,name\n"
        "98111,org:dopt,A\n"  # line 2: not a mobile
        "9811100003,org:dopt,B\n"
        "\n"
        "9811100004,org:nowhere,C\n"  # line 5: unknown organisation
        "12,,D\n"  # line 6: two problems
        "9811100005,org:elsewhere,E\n"  # line 7: unknown organisation
    )
    result = run_cli(database_url, "learners", "onboard", str(several))
    assert result.returncode == 1
    named = [line.split(":")[0] for line in result.stderr.splitlines() if line.startswith("line ")]
    assert named == ["line 2", "line 5", "line 6", "line 7"], result.stderr
    assert "organisation_id is empty" in result.stderr and "'12'" in result.stderr
    async with client.gateway.db.sessionmaker() as session:
        assert await session.get(OnboardedMobileRow, "9811100003") is None

    good = tmp_path / "good.csv"
    good.write_text("mobile,organisation_id,name\n9811100001,org:dopt,A\n+91 98111 00002,org:istm,B\n")
    result = run_cli(database_url, "learners", "onboard", str(good))
    assert result.returncode == 0, result.stderr
    assert "Onboarded 2" in result.stdout
    async with client.gateway.db.sessionmaker() as session:
        row = await session.get(OnboardedMobileRow, "9811100002")
    assert row is not None and row.organisation_id == "org:istm"
