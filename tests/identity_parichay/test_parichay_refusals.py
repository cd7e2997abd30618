"""Bad input at the Parichay callback: each is refused with a clear message,
and none creates a learner or a session."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import string
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update

from gateway.directory.models import LearnerRow
from gateway.testing import GatewayClient, MakeGateway
from plugins.identity_parichay.models import SignInStateRow
from plugins.identity_parichay.pkce import new_verifier, s256_challenge, state_hash
from tests.identity_parichay.flow import counts, parichay_gateway, sign_in, start_sign_in
from tests.identity_parichay.provider import RunningProvider


@pytest.fixture
async def client(make_gateway: MakeGateway, provider: RunningProvider) -> GatewayClient:
    return await parichay_gateway(
        make_gateway, provider, identity={"registration": {"approved_domains": ["ac.in"]}}
    )


async def refused(
    client: GatewayClient, response: httpx.Response, status: int, before: tuple[int, int]
) -> str:
    assert response.status_code == status, response.text
    assert await counts(client) == before, "a refused sign-in must create nothing"
    assert "karmayogi_session" not in response.cookies
    message: str = response.json()["error"]["message"]
    return message


def state_of(callback: str) -> str:
    return parse_qs(urlsplit(callback).query)["state"][0]


async def test_missing_state(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    callback = await start_sign_in(browser, "parichay", "kavita")
    no_state = callback.replace(f"state={state_of(callback)}", "state=")
    message = await refused(client, await browser.get(no_state), 400, before)
    assert "no state" in message


async def test_reused_state(client: GatewayClient) -> None:
    browser = client.browser()
    callback = await start_sign_in(browser, "parichay", "kavita")
    assert (await browser.get(callback)).status_code == 303
    before = await counts(client)
    again = client.browser()
    again.cookies.set(
        "karmayogi_signin_parichay", state_of(callback), domain="testserver", path="/auth/parichay"
    )
    message = await refused(client, await again.get(callback), 400, before)
    assert "already used" in message


async def test_expired_state(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    callback = await start_sign_in(browser, "parichay", "kavita")
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(SignInStateRow).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    message = await refused(client, await browser.get(callback), 400, before)
    assert "expired" in message


async def test_state_from_another_browser(client: GatewayClient) -> None:
    before = await counts(client)
    callback = await start_sign_in(client.browser(), "parichay", "kavita")
    message = await refused(client, await client.browser().get(callback), 400, before)
    assert "another browser" in message


async def test_wrong_pkce_verifier(client: GatewayClient, provider: RunningProvider) -> None:
    browser = client.browser()
    before = await counts(client)
    callback = await start_sign_in(browser, "parichay", "kavita")
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(SignInStateRow)
            .where(SignInStateRow.state_hash == state_hash(state_of(callback)))
            .values(code_verifier=new_verifier())
        )
    message = await refused(client, await browser.get(callback), 502, before)
    assert "did not answer as expected" in message
    (request,) = provider.strict.token_requests  # the provider saw and refused it
    assert request["grant_type"] == "authorization_code"


def test_s256_is_unpadded_base64url_of_the_sha256_of_the_verifier() -> None:
    verifier = new_verifier()
    assert len(verifier) == 43 and verifier != new_verifier()
    assert set(verifier) <= set(string.ascii_letters + string.digits + "-_")
    expected = base64.b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
    expected = expected.replace("+", "-").replace("/", "_").rstrip("=")
    assert s256_challenge(verifier) == expected
    assert "=" not in s256_challenge(verifier)


async def test_user_details_without_an_email(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    message = await refused(client, await sign_in(browser, "parichay", "no-email"), 400, before)
    assert "did not share an email" in message


async def test_domain_not_allowed(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    message = await refused(client, await sign_in(browser, "parichay", "gmail"), 403, before)
    assert "gmail.com cannot register" in message
    assert "nodal officer" in message  # says how to ask for help


async def test_disabled_account(client: GatewayClient) -> None:
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(LearnerRow).where(LearnerRow.id == "learner:demo-asha").values(status="DISABLED")
        )
    browser = client.browser()
    before = await counts(client)
    message = await refused(client, await sign_in(browser, "parichay", "asha"), 403, before)
    assert "disabled" in message


async def test_provider_refusal_is_reported(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    login = await browser.get("/auth/parichay/login")
    authorize = login.headers["location"]
    async with httpx.AsyncClient(trust_env=False) as idp:
        denied = await idp.post(authorize, data={"action": "deny"})
    callback = denied.headers["location"]
    assert "error=access_denied" in callback
    message = await refused(client, await browser.get(callback), 403, before)
    assert "did not sign you in" in message


async def test_browsers_get_a_page_not_json(client: GatewayClient) -> None:
    browser = client.browser()
    answer = await browser.get("/auth/parichay/callback?state=nope&code=x", headers={"Accept": "text/html"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "start signing in again" in answer.text


async def test_approved_domain_creates_a_pending_learner(client: GatewayClient) -> None:
    browser = client.browser()
    answer = await sign_in(browser, "parichay", "partner", "?response=json")
    assert answer.status_code == 200 and answer.json()["status"] == "PENDING"
