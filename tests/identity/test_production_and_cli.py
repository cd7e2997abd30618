"""Production refuses development identity defaults; ``karmayogi token`` and
``karmayogi admin grant`` work from the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from gateway.directory.models import LearnerRow, RoleGrantRow
from gateway.host import build_gateway
from gateway.settings import load_settings
from gateway.testing import GatewayClient, MakeGateway, production_plugin_settings
from plugins.identity.settings import IdentitySettings
from schema.errors import StartupError
from tests.identity.helpers import bearer, ed25519_pem, run_cli

PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": "p" * 40,
    "database_url": "postgresql+asyncpg://gateway@127.0.0.1:5432/none",
}


def production_problems(**identity: Any) -> str:
    try:
        passbook = production_plugin_settings()["passbook"]  # a real certificate key
        gateway = build_gateway(
            load_settings(**PRODUCTION, plugins={"identity": identity, "passbook": passbook})
        )
    except StartupError as exc:
        return str(exc)
    paths = {getattr(r, "path", "") for r in gateway.routes}
    assert "/auth/dev" not in paths
    return ""


def test_production_refuses_the_development_session_key() -> None:
    assert "plugins.identity.session_keys" in production_problems()


def test_production_refuses_dev_sign_in() -> None:
    message = production_problems(
        session_keys=[{"kid": "k1", "private_key": ed25519_pem()}], dev_sign_in=True
    )
    assert "plugins.identity.dev_sign_in" in message


def test_production_refuses_insecure_cookies() -> None:
    message = production_problems(
        session_keys=[{"kid": "k1", "private_key": ed25519_pem()}], cookie_secure=False
    )
    assert "plugins.identity.cookie_secure" in message


def test_production_starts_with_a_configured_key_and_no_dev_sign_in() -> None:
    assert production_problems(session_keys=[{"kid": "k1", "private_key": ed25519_pem()}]) == ""


def test_settings_refuse_a_key_that_is_not_pem() -> None:
    settings = load_settings(plugins={"identity": {"session_keys": [{"kid": "k", "private_key": "x"}]}})
    with pytest.raises(StartupError, match=r"plugins\.identity\.session_keys\.0") as refused:
        build_gateway(settings)
    assert "not an unencrypted PEM" in str(refused.value)


async def test_token_command_prints_a_token_another_process_accepts(
    client: GatewayClient, database_url: str
) -> None:
    result = run_cli(database_url, "token", "Asha.Verma@dopt.gov.in")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    body = await client.graphql("{ me { id } }", headers=bearer(token))
    assert body["data"] == {"me": {"id": "learner:demo-asha"}}
    assert token not in result.stderr


async def test_token_command_refuses_unknown_and_non_demo_learners(
    client: GatewayClient, database_url: str
) -> None:
    result = run_cli(database_url, "token", "nobody@dopt.gov.in")
    assert result.returncode == 1 and "No learner" in result.stderr
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(LearnerRow).where(LearnerRow.id == "learner:demo-asha").values(demo=False)
        )
    result = run_cli(database_url, "token", "asha.verma@dopt.gov.in")
    assert result.returncode == 1 and "not a demo learner" in result.stderr
    assert result.stdout.strip() == ""


async def test_token_command_is_refused_in_production(client: GatewayClient, database_url: str) -> None:
    result = run_cli(database_url, "token", "asha.verma@dopt.gov.in", KARMAYOGI_ENVIRONMENT="production")
    assert result.returncode == 1 and result.stdout.strip() == ""
    assert "Production refuses" in result.stderr


async def test_admin_grant_bootstraps_roles(client: GatewayClient, database_url: str) -> None:
    result = run_cli(
        database_url,
        "admin",
        "grant",
        "asha.verma@dopt.gov.in",
        "MDO_ADMIN",
        "--organisation",
        "org:dopt",
    )
    assert result.returncode == 0, result.stderr
    assert "Granted MDO_ADMIN on org:dopt" in result.stdout
    again = run_cli(database_url, "admin", "grant", "asha.verma@dopt.gov.in", "MDO_ADMIN", "-o", "org:dopt")
    assert again.returncode == 0 and "Nothing to do" in again.stdout
    async with client.gateway.db.sessionmaker() as session:
        grants = (
            await session.scalars(select(RoleGrantRow).where(RoleGrantRow.learner_id == "learner:demo-asha"))
        ).all()
    assert [(g.role, g.organisation_id) for g in grants] == [("MDO_ADMIN", "org:dopt")]
    body = await client.graphql(
        '{ learner(id: "learner:demo-rahul") { name } }', as_learner="learner:demo-asha"
    )
    assert body["data"]["learner"]["name"] == "Rahul Nair"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["MDO_ADMIN"], "needs an organisation"),
        (["STATE_ADMIN", "-o", "org:dopt"], "not one"),
        (["LEARNER"], "cannot be granted"),
        (["SPV_ADMIN", "-o", "org:dopt"], "give no organisation"),
    ],
)
async def test_admin_grant_refuses_bad_grants(
    client: GatewayClient, database_url: str, args: list[str], message: str
) -> None:
    result = run_cli(database_url, "admin", "grant", "asha.verma@dopt.gov.in", *args)
    assert result.returncode == 1 and message in result.stderr
    async with client.gateway.db.sessionmaker() as session:
        assert (
            await session.scalars(select(RoleGrantRow).where(RoleGrantRow.learner_id == "learner:demo-asha"))
        ).all() == []


async def test_make_gateway_still_works_unconfigured(make_gateway: MakeGateway) -> None:
    client = await make_gateway(load_demo_data=False)
    assert (await client.http.get("/auth/dev")).status_code == 200


def test_session_keys_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [{"kid": "from-env", "private_key": ed25519_pem()}]
    monkeypatch.setenv("KARMAYOGI_PLUGINS__IDENTITY__SESSION_KEYS", json.dumps(keys))
    monkeypatch.setenv(
        "KARMAYOGI_PLUGINS__PASSBOOK__SIGNING_KEY", production_plugin_settings()["passbook"]["signing_key"]
    )
    gateway = build_gateway(load_settings(**PRODUCTION))
    assert gateway.plugin_settings(IdentitySettings).session_keys[0].kid == "from-env"
    monkeypatch.setenv("KARMAYOGI_PLUGINS__IDENTITY__SESSION_KEYS", "not json")
    with pytest.raises(StartupError, match="JSON list"):
        build_gateway(load_settings(**PRODUCTION))


async def test_refused_credentials_are_logged_without_the_token(
    client: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO"):
        body = await client.graphql(
            "{ me { id } }", headers=bearer("eyJhbGciOiJub25lIn0.e30.sekrit"), expect_errors=True
        )
    assert body["_status"] == 401
    assert any(r.getMessage() == "credentials refused" for r in caplog.records)
    assert "sekrit" not in caplog.text
