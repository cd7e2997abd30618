"""OIDC mode end to end: discovery, authorize, code + PKCE, ID token checked
against the provider's JWKS (oidc-provider-mock on 127.0.0.1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import update

from gateway.testing import GatewayClient, MakeGateway
from plugins.identity_parichay.models import SignInStateRow
from tests.identity_parichay.flow import counts, graphql, start_sign_in
from tests.identity_parichay.provider import RunningProvider, User, run_provider

MEERA = User(
    sub="meera",
    claims={
        "email": "meera.das@nic.in",
        "email_verified": True,
        "given_name": "Meera",
        "family_name": "Das",
    },
)
UNVERIFIED = User(sub="unverified", claims={"email": "x@nic.in", "email_verified": False})


@pytest.fixture
def oidc_provider():  # type: ignore[no-untyped-def]
    with run_provider([MEERA, UNVERIFIED]) as running:
        yield running


@pytest.fixture
async def client(make_gateway: MakeGateway, oidc_provider: RunningProvider) -> GatewayClient:
    return await make_gateway(
        public_url="https://testserver",
        plugins={
            "identity_parichay": {
                "oidc": {
                    "enabled": True,
                    "issuer": oidc_provider.url,
                    "client_id": "igot-web",
                    "client_secret": "test-secret",
                }
            }
        },
    )


async def test_oidc_sign_in_through_the_provider(client: GatewayClient) -> None:
    browser = client.browser()
    callback = await start_sign_in(browser, "oidc", "meera")
    answer = await browser.get(callback)
    assert answer.status_code == 303, answer.text
    me = (await graphql(browser, "{ me { name email profileComplete } }")).json()["data"]["me"]
    assert me == {"name": "Meera Das", "email": "meera.das@nic.in", "profileComplete": False}


async def test_login_sends_a_nonce_and_openid_scope(client: GatewayClient) -> None:
    login = await client.browser().get("/auth/oidc/login")
    params = parse_qs(urlsplit(login.headers["location"]).query)
    assert params["scope"] == ["openid email profile"]
    assert len(params["nonce"][0]) >= 20
    assert params["code_challenge_method"] == ["S256"]


async def test_id_token_with_another_nonce_is_refused(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    callback = await start_sign_in(browser, "oidc", "meera")
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(update(SignInStateRow).values(nonce="a-different-nonce"))
    answer = await browser.get(callback)
    assert answer.status_code == 401
    assert "nonce" in answer.json()["error"]["message"]
    assert await counts(client) == before


async def test_unverified_email_is_refused(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    answer = await browser.get(await start_sign_in(browser, "oidc", "unverified"))
    assert answer.status_code == 403
    assert await counts(client) == before


def _with_iss(callback: str, iss: str | None) -> str:
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "iss"}
    if iss is not None:
        query["iss"] = iss
    return parts._replace(query=urlencode(query)).geturl()


async def test_rfc_9207_iss_on_the_authorization_response(
    client: GatewayClient, oidc_provider: RunningProvider
) -> None:
    """A provider that advertises authorization_response_iss_parameter_supported
    must send its own issuer as ``iss``: another or none is refused before the
    code is exchanged; the right one signs in."""
    oidc_provider.strict.response_iss = oidc_provider.url
    before = await counts(client)
    for iss in ("https://evil.example", None):
        browser = client.browser()
        callback = await start_sign_in(browser, "oidc", "meera")
        assert parse_qs(urlsplit(callback).query)["iss"] == [oidc_provider.url]
        exchanged = len(oidc_provider.strict.token_requests)
        answer = await browser.get(_with_iss(callback, iss))
        assert answer.status_code == 401, answer.text
        assert "RFC 9207" in answer.json()["error"]["message"]
        assert len(oidc_provider.strict.token_requests) == exchanged  # the code went nowhere
    assert await counts(client) == before
    browser = client.browser()
    answer = await browser.get(await start_sign_in(browser, "oidc", "meera"))
    assert answer.status_code == 303, answer.text


async def test_a_wrong_iss_is_refused_even_when_not_advertised(client: GatewayClient) -> None:
    browser = client.browser()
    before = await counts(client)
    callback = await start_sign_in(browser, "oidc", "meera")
    answer = await browser.get(_with_iss(callback, "https://evil.example"))
    assert answer.status_code == 401, answer.text
    assert await counts(client) == before
