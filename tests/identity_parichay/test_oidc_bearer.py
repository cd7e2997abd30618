"""OIDC bearer access tokens for API clients: the good one is accepted; every
bad one is refused with UNAUTHENTICATED and creates no learner."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest

from gateway.testing import GatewayClient, MakeGateway, error_codes
from tests.identity_parichay.flow import counts
from tests.identity_parichay.issuer import Issuer, b64, new_rsa, public_jwk, run_issuer

ME = "{ me { name email } }"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with run_issuer() as running:
        yield running


@pytest.fixture
async def client(make_gateway: MakeGateway, issuer: Issuer) -> GatewayClient:
    return await make_gateway(
        public_url="https://testserver",
        plugins={
            "identity_parichay": {
                "oidc": {
                    "enabled": True,
                    "issuer": issuer.url,
                    "client_id": "igot-web",
                    "client_secret": "test-secret",
                    "api_audience": "igot-api",
                }
            }
        },
    )


async def ask(client: GatewayClient, token: str) -> dict[str, object]:
    return await client.graphql(ME, headers={"Authorization": f"Bearer {token}"}, expect_errors=True)


async def test_a_valid_access_token_signs_in_and_registers_by_policy(
    client: GatewayClient, issuer: Issuer
) -> None:
    learners, sessions = await counts(client)
    body = await ask(client, issuer.token())
    assert body["data"] == {"me": {"name": "new.officer", "email": "new.officer@dopt.gov.in"}}
    assert await counts(client) == (learners + 1, sessions)  # no gateway session for API calls
    again = await ask(client, issuer.token(sub="api-user-1"))
    assert again["data"] == body["data"]
    assert await counts(client) == (learners + 1, sessions)


def _tampered(issuer: Issuer) -> str:
    header, _, signature = issuer.token().split(".")
    forged = issuer.claims(email="asha.verma@dopt.gov.in")
    return f"{header}.{b64(json.dumps(forged).encode())}.{signature}"


def _embedded_jwk(issuer: Issuer) -> str:
    attacker = new_rsa()
    issuer.keys["attacker"] = attacker
    token = issuer.token("attacker", headers={"kid": "k1", "jwk": public_jwk(attacker, "k1")})
    return token


def _jku_x5u(issuer: Issuer) -> str:
    attacker = new_rsa()
    issuer.keys["attacker"] = attacker
    headers = {"kid": "k1", "jku": f"{issuer.url}/attacker-jwks", "x5u": f"{issuer.url}/cert"}
    return issuer.token("attacker", headers=headers)


BAD_TOKENS: dict[str, Callable[[Issuer], str]] = {
    "jku_and_x5u_headers": _jku_x5u,
    "alg_none": lambda i: i.unsigned({"alg": "none", "kid": "k1"}, i.claims(), None),
    "hs256_with_the_rsa_public_key": lambda i: i.unsigned(
        {"alg": "HS256", "kid": "k1", "typ": "JWT"}, i.claims(), i.public_pem()
    ),
    "wrong_iss": lambda i: i.token(iss="https://evil.example"),
    "issuer_with_trailing_slash": lambda i: i.token(iss=i.url + "/"),
    "wrong_aud": lambda i: i.token(aud="someone-else"),
    "expired": lambda i: i.token(iat=int(time.time()) - 600, exp=int(time.time()) - 120),
    "not_yet_valid": lambda i: i.token(nbf=int(time.time()) + 600),
    "missing_exp": lambda i: i.token(exp=None),
    "issued_in_the_future": lambda i: i.token(iat=int(time.time()) + 600, exp=int(time.time()) + 900),
    "missing_iat": lambda i: i.token(iat=None),
    "tampered_payload": _tampered,
    "embedded_jwk_header": _embedded_jwk,
    "hundred_kilobytes": lambda i: i.token(padding="x" * 100_000),
    "not_a_jwt": lambda i: "not.a.jwt",
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_bad_token_is_refused_and_creates_nothing(
    client: GatewayClient, issuer: Issuer, case: str
) -> None:
    token = BAD_TOKENS[case](issuer)
    before = await counts(client)
    body = await ask(client, token)
    assert body["_status"] == 401
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "data" not in body or body["data"] is None
    assert await counts(client) == before


async def test_unknown_kid_is_refused_after_one_refetch(client: GatewayClient, issuer: Issuer) -> None:
    assert "data" in await ask(client, issuer.token())  # keys cached
    fetched = issuer.jwks_requests
    issuer.keys["k9"] = new_rsa()  # signed by a key the issuer does not publish
    before = await counts(client)
    body = await ask(client, issuer.token("k9", email="other@dopt.gov.in"))
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert issuer.jwks_requests == fetched + 1
    # Another unknown kid within the minute does not fetch again.
    body = await ask(client, issuer.token("k9", email="other@dopt.gov.in"))
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert issuer.jwks_requests == fetched + 1
    assert await counts(client) == before


async def test_a_key_the_issuer_rotates_in_is_found_by_one_refetch(
    client: GatewayClient, issuer: Issuer
) -> None:
    assert "data" in await ask(client, issuer.token())
    issuer.keys["k2"] = new_rsa()
    issuer.published = ["k2", "k1"]
    body = await ask(client, issuer.token("k2"))
    assert body["data"] == {"me": {"name": "new.officer", "email": "new.officer@dopt.gov.in"}}


async def test_the_last_good_keys_are_kept_while_the_jwks_fails(
    client: GatewayClient, issuer: Issuer
) -> None:
    assert "data" in await ask(client, issuer.token())
    issuer.failing = True
    issuer.keys["k3"] = new_rsa()
    assert error_codes(await ask(client, issuer.token("k3"))) == ["UNAUTHENTICATED"]
    body = await ask(client, issuer.token())  # k1 still verifies
    assert body["data"]["me"]["email"] == "new.officer@dopt.gov.in"  # type: ignore[index]


def test_settings_refuse_none_and_hmac_algorithms() -> None:
    from pydantic import ValidationError

    from plugins.identity_parichay.settings import OidcSettings

    for bad in (["none"], ["HS256"], ["RS256", "HS512"]):
        with pytest.raises(ValidationError):
            OidcSettings(algorithms=bad)
    with pytest.raises(ValidationError):
        OidcSettings(leeway_seconds=61)


@pytest.mark.parametrize("email", ["new.officer@dopt.gov.in", "asha.verma@dopt.gov.in"])
async def test_an_unverified_email_is_refused_as_the_callback_refuses_it(
    client: GatewayClient, issuer: Issuer, email: str
) -> None:
    """``email_verified: false`` signs nobody in over a bearer token, whether
    the learner is new or already known (the callback's rule, tested in
    test_oidc_flow.py, applied by the same function)."""
    before = await counts(client)
    body = await ask(client, issuer.token(email=email, email_verified=False))
    assert body["_status"] == 401 and error_codes(body) == ["UNAUTHENTICATED"], body
    assert "not verified your email" in body["errors"][0]["message"]  # type: ignore[index]
    assert await counts(client) == before
    verified = await ask(client, issuer.token(email=email, email_verified=True))
    assert verified["data"]["me"]["email"] == email  # type: ignore[index]
