"""Parichay sign-in (OAuth 2.0 + PKCE + user details) end to end, through a
real authorization server on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from gateway.testing import MakeGateway
from tests.identity_parichay.flow import (
    ME,
    counts,
    graphql,
    parichay_gateway,
    sign_in,
    start_sign_in,
)
from tests.identity_parichay.provider import RunningProvider, s256


async def test_sign_in_profile_sign_out_and_token_refused(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    client = await parichay_gateway(make_gateway, provider)
    browser = client.browser()
    learners_before, _ = await counts(client)

    answer = await sign_in(browser, "parichay", "kavita")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/graphql"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("karmayogi_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    token = browser.cookies["karmayogi_session"]

    me = (await graphql(browser, ME)).json()["data"]["me"]
    assert me == {
        "name": "Kavita Rao",
        "email": "kavita.rao@dopt.gov.in",
        "mobile": "9811122233",
        "status": "ACTIVE",
        "organisation": None,
        "profileComplete": False,
    }
    assert (await counts(client))[0] == learners_before + 1

    done = await graphql(
        browser,
        "mutation($input: ProfileInput!) { completeProfile(input: $input) "
        "{ profileComplete organisation { name } designation } }",
        {"input": {"organisationId": "org:dopt", "designation": "Under Secretary"}},
    )
    assert done.json()["data"]["completeProfile"] == {
        "profileComplete": True,
        "organisation": {"name": "Department of Personnel and Training"},
        "designation": "Under Secretary",
    }

    out = await browser.post("/auth/logout")
    assert out.status_code == 200 and out.json() == {"signedOut": True}
    assert "karmayogi_session" not in browser.cookies
    refused = await graphql(browser, ME, token=token)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # The provider's own token was revoked there too, and no longer works.
    assert len(provider.strict.revoked) == 1
    upstream = next(iter(provider.strict.revoked))
    async with httpx.AsyncClient(trust_env=False) as idp:
        details = await idp.get(f"{provider.url}/userinfo", headers={"Authorization": f"Bearer {upstream}"})
    assert details.status_code == 401


async def test_login_redirect_carries_pkce_s256_scope_and_a_fresh_state(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    client = await parichay_gateway(make_gateway, provider)
    browser = client.browser()
    first = await browser.get("/auth/parichay/login")
    second = await browser.get("/auth/parichay/login")
    params = [parse_qs(urlsplit(r.headers["location"]).query) for r in (first, second)]
    for p in params:
        assert p["response_type"] == ["code"]
        assert p["client_id"] == ["igot-karmayogi"]
        assert p["scope"] == ["user_details"]
        assert p["redirect_uri"] == ["https://testserver/auth/parichay/callback"]
        assert p["code_challenge_method"] == ["S256"]
        assert len(p["state"][0]) >= 32
    assert params[0]["state"] != params[1]["state"]
    assert params[0]["code_challenge"] != params[1]["code_challenge"]


async def test_token_request_sends_the_verifier_matching_the_challenge(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    client = await parichay_gateway(make_gateway, provider)
    browser = client.browser()
    callback = await start_sign_in(browser, "parichay", "kavita")
    answer = await browser.get(callback)
    assert answer.status_code == 303
    (request,) = provider.strict.token_requests
    assert request["client_secret"] == "test-client-secret"
    assert request["redirect_uri"] == "https://testserver/auth/parichay/callback"
    assert 43 <= len(request["code_verifier"]) <= 128
    # The strict layer checked s256(verifier) == the challenge it saw at authorize.
    assert provider.strict.challenges == {}
    assert len(s256(request["code_verifier"])) == 43


async def test_sign_in_links_an_existing_learner_by_email_any_case(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    client = await parichay_gateway(make_gateway, provider)
    browser = client.browser()
    before = await counts(client)
    answer = await sign_in(browser, "parichay", "asha")  # asha.verma@dopt.gov.in, a demo learner
    assert answer.status_code == 303
    me = (await graphql(browser, "{ me { id name } }")).json()["data"]["me"]
    assert me == {"id": "learner:demo-asha", "name": "Asha Verma"}
    assert (await counts(client))[0] == before[0]


async def test_api_clients_get_tokens_in_the_body(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    client = await parichay_gateway(make_gateway, provider)
    browser = client.browser()
    answer = await sign_in(browser, "parichay", "kavita", "?response=json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["tokenType"] == "Bearer" and body["refreshToken"] and body["status"] == "ACTIVE"
    api = client.browser()  # no cookies: the bearer token alone
    me = (await graphql(api, "{ me { name } }", token=body["accessToken"])).json()
    assert me["data"]["me"]["name"] == "Kavita Rao"
