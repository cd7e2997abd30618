"""docs/identity.md cannot drift: its TOML validates, its GraphQL runs, its
JSON is what the gateway answers and its commands exist."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import build_cli
from gateway.settings import load_settings
from gateway.testing import GatewayClient
from plugins.identity.settings import IdentitySettings
from plugins.identity_parichay.settings import ParichaySettings
from tests.identity.helpers import bearer, ed25519_pem

DOC = Path(__file__).parents[2] / "docs" / "identity.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.S)


@pytest.mark.parametrize("index", range(len(blocks("toml"))))
def test_toml_examples_validate(index: int, tmp_path: Path) -> None:
    text = blocks("toml")[index].replace("<PEM>", ed25519_pem())
    tomllib.loads(text)
    path = tmp_path / "settings.toml"
    path.write_text(text)
    settings = load_settings(path, environment="development")
    sections = settings.plugins
    assert sections, "each example configures a plugin"
    if "identity" in sections:
        IdentitySettings.model_validate(sections["identity"])
    if "identity_parichay" in sections:
        ParichaySettings.model_validate(sections["identity_parichay"])


async def test_graphql_examples_run(client: GatewayClient) -> None:
    token = await client.session_token("learner:demo-admin")
    for document in blocks("graphql"):
        body = await client.graphql(document, headers=bearer(token))
        assert body["data"]


async def test_json_example_has_the_sign_in_answer_keys(client: GatewayClient) -> None:
    (example,) = blocks("json")
    documented = set(json.loads(example))
    answer = await client.browser().post(
        "/auth/dev", data={"learner": "learner:demo-asha"}, headers={"Accept": "application/json"}
    )
    assert set(answer.json()) == documented


def test_documented_commands_exist() -> None:
    commands = set(re.findall(r"`karmayogi ((?:[a-z]+ )*[a-z]+)", DOC.read_text()))
    assert {"token", "admin grant", "admin revoke", "learners onboard"} <= commands
    cli = build_cli()
    runner = CliRunner()
    for command in commands:
        words = [w for w in command.split() if w.islower() and w.isalpha()]
        result = runner.invoke(cli, [*words, "--help"])
        assert result.exit_code == 0, (command, result.output)
