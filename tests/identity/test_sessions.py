"""Gateway sessions: tokens, cookies, refresh, logout across workers, keys."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from sqlalchemy import func, select, update

from gateway.directory.models import LearnerRow
from gateway.testing import GatewayClient, MakeGateway, error_codes
from plugins.identity import tokens
from plugins.identity.keys import KeyRing, load_key
from plugins.identity.models import SessionRow
from plugins.identity.runtime import key_ring, session_service
from plugins.identity.settings import SessionKey
from tests.identity.helpers import bearer, ed25519_pem, p256_pem

ME = "{ me { id name } }"


async def me_with(client: GatewayClient, token: str) -> dict[str, object]:
    return await client.graphql(ME, headers=bearer(token), expect_errors=True)


async def test_session_token_signs_in_over_bearer(client: GatewayClient) -> None:
    token = await client.session_token("asha.verma@dopt.gov.in")
    body = await me_with(client, token)
    assert body["data"] == {"me": {"id": "learner:demo-asha", "name": "Asha Verma"}}
    header = tokens.unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"].startswith("dev-")


@pytest.mark.parametrize(
    "authorization",
    ["Basic YXNoYTpwYXNz", "Bearer not-a-token", "Bearer " + "x" * 9000, "Token abc"],
)
async def test_credentials_nobody_accepts_are_refused(client: GatewayClient, authorization: str) -> None:
    body = await client.graphql(ME, headers={"Authorization": authorization}, expect_errors=True)
    assert body["_status"] == 401 and error_codes(body) == ["UNAUTHENTICATED"]


async def test_expired_session_token_is_refused(client: GatewayClient) -> None:
    service = session_service(client.gateway)
    issued = await service.start("learner:demo-asha", "test")
    old, _ = tokens.issue(
        service.ring,
        issuer=service.issuer,
        learner_id="learner:demo-asha",
        session_id=issued.session_id,
        source="test",
        now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=9),  # past development's working day
    )
    body = await me_with(client, old)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "expired" in body["errors"][0]["message"]  # type: ignore[index]


async def test_dev_sign_in_page_lists_demo_learners_and_signs_in(client: GatewayClient) -> None:
    browser = client.browser()
    page = await browser.get("/auth/dev")
    assert page.status_code == 200
    assert "Asha Verma" in page.text and "learner:demo-vikram" in page.text
    assert "Demo data, development only" in page.text and "karmayogi token" in page.text
    answer = await browser.post("/auth/dev", data={"learner": "learner:demo-vikram"})
    assert answer.status_code == 303 and answer.headers["location"] == "/graphql"
    me = (await browser.post("/graphql", json={"query": ME})).json()
    assert me["data"]["me"]["id"] == "learner:demo-vikram"


async def test_dev_sign_in_is_for_demo_learners_only(client: GatewayClient) -> None:
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(LearnerRow).where(LearnerRow.id == "learner:demo-asha").values(demo=False)
        )
    answer = await client.browser().post("/auth/dev", data={"learner": "learner:demo-asha"})
    assert answer.status_code == 404


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    client: GatewayClient,
) -> None:
    issued = await session_service(client.gateway).start("learner:demo-asha", "test")
    api = client.browser()
    first = await api.post("/auth/refresh", json={"refreshToken": issued.refresh_token})
    assert first.status_code == 200
    fresh = first.json()
    assert fresh["refreshToken"] != issued.refresh_token
    assert (await me_with(client, fresh["accessToken"]))["data"]
    reused = await api.post("/auth/refresh", json={"refreshToken": issued.refresh_token})
    assert reused.status_code == 401 and "already used" in reused.json()["error"]["message"]
    # The copy was detected: the whole session is revoked.
    assert error_codes(await me_with(client, fresh["accessToken"])) == ["UNAUTHENTICATED"]
    again = await api.post("/auth/refresh", json={"refreshToken": fresh["refreshToken"]})
    assert again.status_code == 401


async def test_disabled_learner_cannot_refresh(client: GatewayClient) -> None:
    issued = await session_service(client.gateway).start("learner:demo-asha", "test")
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(LearnerRow).where(LearnerRow.id == "learner:demo-asha").values(status="DISABLED")
        )
    answer = await client.browser().post("/auth/refresh", json={"refreshToken": issued.refresh_token})
    assert answer.status_code == 401 and "disabled" in answer.json()["error"]["message"]


@pytest.mark.parametrize("redis", [False, True], ids=["database", "redis"])
async def test_logout_on_one_worker_is_refused_at_once_by_another(
    make_gateway: MakeGateway, redis: bool
) -> None:
    extra = {}
    if redis:
        extra["redis_url"] = os.environ.get("KARMAYOGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    worker_a = await make_gateway(**extra)
    worker_b = await make_gateway(**extra)
    token = await worker_a.session_token("learner:demo-asha")
    assert (await me_with(worker_b, token))["data"]
    out = await worker_b.http.post("/auth/logout", headers=bearer(token))
    assert out.status_code == 200
    for worker in (worker_a, worker_b):
        body = await me_with(worker, token)
        assert body["_status"] == 401 and "signed out" in body["errors"][0]["message"]  # type: ignore[index]
    async with worker_a.gateway.db.sessionmaker() as session:
        row = (await session.scalars(select(SessionRow))).one()
    assert row.revoked_at is not None and row.revoked_reason == "logout"
    if redis:
        service = session_service(worker_a.gateway)
        assert await service.redis.exists(f"karmayogi:session-revoked:{row.id}")


async def test_logout_needs_a_valid_session(client: GatewayClient) -> None:
    answer = await client.browser().post("/auth/logout")
    assert answer.status_code == 401


def _ring(*keys: SessionKey, minutes: int = 15) -> KeyRing:
    return KeyRing([load_key(k) for k in keys], dt.timedelta(minutes=minutes))


async def test_key_rotation_keeps_the_previous_key_verifying_its_tokens(
    make_gateway: MakeGateway,
) -> None:
    old_pem, new_pem = ed25519_pem(), p256_pem()
    before = await make_gateway(
        plugins={"identity": {"session_keys": [{"kid": "2026-a", "private_key": old_pem}]}}
    )
    old_token = await before.session_token("learner:demo-asha")
    retired = dt.datetime.now(dt.UTC)
    after = await make_gateway(
        plugins={
            "identity": {
                "session_keys": [
                    {"kid": "2026-b", "private_key": new_pem},
                    {"kid": "2026-a", "private_key": old_pem, "retired_at": retired.isoformat()},
                ]
            }
        }
    )
    assert (await me_with(after, old_token))["data"], "the previous key still verifies"
    new_token = await after.session_token("learner:demo-asha")
    assert tokens.unverified_header(new_token) == {"alg": "ES256", "kid": "2026-b", "typ": "JWT"}
    # A token the retired key signed after it retired is refused.
    service = session_service(after.gateway)
    issued = await service.start("learner:demo-asha", "test")
    forged, _ = tokens.issue(
        _ring(SessionKey(kid="2026-a", private_key=old_pem)),
        issuer=service.issuer,
        learner_id="learner:demo-asha",
        session_id=issued.session_id,
        source="test",
        now=retired + dt.timedelta(seconds=5),
    )
    assert error_codes(await me_with(after, forged)) == ["UNAUTHENTICATED"]


async def test_rotated_out_key_is_refused_after_its_tokens_expire(
    make_gateway: MakeGateway,
) -> None:
    old_pem = ed25519_pem()
    signed_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    client = await make_gateway(
        plugins={
            "identity": {
                "access_token_minutes": 15,
                "session_keys": [
                    {"kid": "2026-b", "private_key": ed25519_pem()},
                    {
                        "kid": "2026-a",
                        "private_key": old_pem,
                        "retired_at": (signed_at + dt.timedelta(seconds=1)).isoformat(),
                    },
                ],
            }
        }
    )
    service = session_service(client.gateway)
    issued = await service.start("learner:demo-asha", "test")
    old, _ = tokens.issue(
        _ring(SessionKey(kid="2026-a", private_key=old_pem)),
        issuer=service.issuer,
        learner_id="learner:demo-asha",
        session_id=issued.session_id,
        source="test",
        now=signed_at,
    )
    assert (
        key_ring(client.gateway).verifying_key("2026-a", int(signed_at.timestamp()), dt.datetime.now(dt.UTC))
        is None
    )
    body = await me_with(client, old)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    # And a key dropped from settings altogether verifies nothing.
    gone = await make_gateway(
        plugins={"identity": {"session_keys": [{"kid": "2026-c", "private_key": ed25519_pem()}]}}
    )
    token = await client.session_token("learner:demo-asha")
    assert error_codes(await me_with(gone, token)) == ["UNAUTHENTICATED"]


async def test_graphiql_explains_how_to_sign_in(client: GatewayClient) -> None:
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "karmayogi token EMAIL" in page.text and "/auth/dev" in page.text
    assert "Authorization" in page.text


async def test_dev_sign_in_refuses_a_disabled_learner(client: GatewayClient) -> None:
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(LearnerRow).where(LearnerRow.id == "learner:demo-asha").values(status="DISABLED")
        )
    answer = await client.browser().post("/auth/dev", data={"learner": "learner:demo-asha"})
    assert answer.status_code == 403
    async with client.gateway.db.sessionmaker() as session:
        assert (await session.scalars(select(SessionRow))).all() == []


async def counts(client: GatewayClient) -> tuple[int, int]:
    async with client.gateway.db.sessionmaker() as session:
        learners = await session.scalar(select(func.count()).select_from(LearnerRow))
        sessions = await session.scalar(select(func.count()).select_from(SessionRow))
    return int(learners or 0), int(sessions or 0)


async def test_revoked_session_is_refused_and_creates_nothing(client: GatewayClient) -> None:
    token = await client.session_token("learner:demo-asha")
    assert (await client.http.post("/auth/logout", headers=bearer(token))).status_code == 200
    before = await counts(client)
    body = await me_with(client, token)
    assert body["_status"] == 401 and error_codes(body) == ["UNAUTHENTICATED"]
    refresh = await client.browser().post("/auth/logout", headers=bearer(token))
    assert refresh.status_code == 401
    assert await counts(client) == before


async def test_token_of_a_rotated_out_key_after_expiry_creates_nothing(
    make_gateway: MakeGateway,
) -> None:
    old_pem = ed25519_pem()
    retired = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    client = await make_gateway(
        plugins={
            "identity": {
                "session_keys": [
                    {"kid": "2026-b", "private_key": ed25519_pem()},
                    {"kid": "2026-a", "private_key": old_pem, "retired_at": retired.isoformat()},
                ]
            }
        }
    )
    old, _ = tokens.issue(
        _ring(SessionKey(kid="2026-a", private_key=old_pem)),
        issuer=session_service(client.gateway).issuer,
        learner_id="learner:demo-asha",
        session_id="sess_never-started",
        source="test",
        now=retired - dt.timedelta(minutes=1),
    )
    before = await counts(client)
    body = await me_with(client, old)
    assert body["_status"] == 401 and error_codes(body) == ["UNAUTHENTICATED"]
    assert await counts(client) == before


def _signed(client: GatewayClient, session_id: str, **changes: object) -> str:
    """A token signed with the gateway's own key, with ``changes`` to its claims."""
    import jwt

    service = session_service(client.gateway)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims: dict[str, object] = {
        "iss": service.issuer,
        "aud": tokens.AUDIENCE,
        "sub": "learner:demo-asha",
        "sid": session_id,
        "src": "test",
        "iat": now,
        "exp": now + 600,
        "jti": "j1",
    }
    claims.update(changes)
    key = service.ring.signing
    # Signed as JWS over the raw payload: the JWT encoder refuses some of these types.
    payload = json.dumps(claims).encode()
    return jwt.PyJWS().encode(payload, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": "1999999999"},
        {"iat": "1700000000"},
        {"nbf": "1700000000"},
        {"exp": True},
        {"sub": 42},
        {"iss": ["http://testserver"]},
        {"jti": 7},
        {"aud": 1},
        {"aud": ["karmayogi-gateway", 2]},
    ],
    ids=lambda c: ",".join(f"{k}={v!r}" for k, v in c.items()),
)
async def test_registered_claims_of_the_wrong_type_are_refused(
    client: GatewayClient, changes: dict[str, object]
) -> None:
    """RFC 7519 types for registered claims are our rule, whatever the JWT
    library would convert (a numeric string ``exp`` among them)."""
    issued = await session_service(client.gateway).start("learner:demo-asha", "test")
    assert (await me_with(client, _signed(client, issued.session_id)))["data"], "well-typed claims pass"
    if "iss" in changes:
        changes = {"iss": [session_service(client.gateway).issuer]}
    body = await me_with(client, _signed(client, issued.session_id, **changes))
    assert body["_status"] == 401 and error_codes(body) == ["UNAUTHENTICATED"], body
