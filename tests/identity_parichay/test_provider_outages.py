"""A provider that does not answer: a clear 502, nothing created; and the
browser's own refresh and return paths."""

from __future__ import annotations

import socket

from gateway.testing import MakeGateway
from tests.identity_parichay.flow import counts, graphql, parichay_gateway, provider_settings, sign_in
from tests.identity_parichay.provider import RunningProvider


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_token_endpoint_down_is_a_clear_502_and_creates_nothing(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    endpoints = provider.endpoints() | {"token_url": closed_port_url() + "/token"}
    client = await make_gateway(
        public_url="https://testserver",
        plugins={"identity_parichay": {"parichay": provider_settings(endpoints)}},
    )
    before = await counts(client)
    answer = await sign_in(client.browser(), "parichay", "kavita")
    assert answer.status_code == 502
    assert "try again" in answer.json()["error"]["message"]
    assert await counts(client) == before


async def test_oidc_discovery_down_is_a_clear_502(make_gateway: MakeGateway) -> None:
    client = await make_gateway(
        public_url="https://testserver",
        plugins={
            "identity_parichay": {
                "oidc": {"enabled": True, "issuer": closed_port_url(), "client_id": "igot-web"}
            }
        },
    )
    answer = await client.browser().get("/auth/oidc/login")
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "PROVIDER_UNAVAILABLE"


async def test_return_to_stays_on_the_gateway(make_gateway: MakeGateway, provider: RunningProvider) -> None:
    client = await parichay_gateway(make_gateway, provider)
    inside = await sign_in(client.browser(), "parichay", "kavita", "?return_to=/graphql%3Fx%3D1")
    assert inside.headers["location"] == "/graphql?x=1"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = await sign_in(client.browser(), "parichay", "kavita", f"?return_to={target}")
        assert answer.headers["location"] == "/graphql", target


async def test_browser_refreshes_with_its_refresh_cookie(
    make_gateway: MakeGateway, provider: RunningProvider
) -> None:
    client = await parichay_gateway(make_gateway, provider)
    browser = client.browser()
    assert (await sign_in(browser, "parichay", "kavita")).status_code == 303
    first = browser.cookies["karmayogi_session"]
    refreshed = await browser.post("/auth/refresh")
    assert refreshed.status_code == 200
    assert browser.cookies["karmayogi_session"] == refreshed.json()["accessToken"] != first
    me = (await graphql(browser, "{ me { name } }")).json()
    assert me["data"]["me"]["name"] == "Kavita Rao"
