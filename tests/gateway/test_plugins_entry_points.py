"""Third-party plugins found through the ``karmayogi_gateway`` entry-point group:
installed with pip, narrowed by plugins_allow/plugins_block, and broken ones
either stopping start-up or (with skip_broken_plugins) left out and reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.app import create_app
from gateway.cli import build_cli
from gateway.settings import load_settings
from gateway.testing import GatewayClient, MakeGateway
from schema.errors import StartupError

PACKAGES = Path(__file__).parents[1] / "packages"
Install = Callable[[Path], Path]


def learner_fields(client: GatewayClient) -> set[str]:
    from graphql import GraphQLObjectType

    learner = client.gateway.schema._schema.type_map["Learner"]
    assert isinstance(learner, GraphQLObjectType)
    return set(learner.fields)


async def test_entry_point_plugin_adds_its_field(pip_install: Install, make_gateway: MakeGateway) -> None:
    pip_install(PACKAGES / "hello")
    client = await make_gateway()
    info = client.gateway.plugins.infos["hello"]
    assert info.source == "entry point (karmayogi-hello)"
    assert info.version == "1.2.0"
    assert "greeting" in learner_fields(client)
    body = await client.graphql(
        '{ node(id: "learner:demo-asha") { ... on Learner { greeting } } }',
        as_learner="learner:demo-asha",
    )
    assert body["data"]["node"]["greeting"] == "Namaste, Asha Verma"


async def test_without_the_package_the_field_is_absent(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    assert "hello" not in client.gateway.plugins.infos
    assert "greeting" not in learner_fields(client)


@pytest.mark.parametrize(
    "narrowing",
    [
        {"plugins_block": ["hello"]},
        {"plugins_allow": ["directory", "catalogue", "passbook", "test_header_identity"]},
    ],
    ids=["blocked", "not-allowed"],
)
async def test_blocked_plugin_is_absent(
    pip_install: Install, make_gateway: MakeGateway, narrowing: dict[str, list[str]]
) -> None:
    pip_install(PACKAGES / "hello")
    client = await make_gateway(**narrowing)
    assert "hello" not in client.gateway.plugins.infos
    assert "greeting" not in learner_fields(client)
    body = await client.graphql(
        '{ node(id: "learner:demo-asha") { ... on Learner { greeting } } }',
        as_learner="learner:demo-asha",
        expect_errors=True,
    )
    assert body["_status"] == 400 or body.get("errors")
    assert "greeting" in body["errors"][0]["message"]


def test_blocked_plugin_is_not_listed_by_the_cli(
    pip_install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    pip_install(PACKAGES / "hello")
    runner = CliRunner()
    listed = runner.invoke(build_cli(), ["plugins"])
    assert listed.exit_code == 0, listed.output
    assert "hello" in listed.output and "karmayogi-hello" in listed.output
    monkeypatch.setenv("KARMAYOGI_PLUGINS_BLOCK", '["hello"]')
    blocked = runner.invoke(build_cli(), ["plugins"])
    assert blocked.exit_code == 0, blocked.output
    assert "karmayogi-hello" not in blocked.output


def test_broken_plugin_stops_start_up_naming_package_and_error(
    pip_install: Install, database_url: str
) -> None:
    pip_install(PACKAGES / "broken")
    with pytest.raises(StartupError) as caught:
        create_app(load_settings(database_url=database_url))
    message = str(caught.value)
    assert "'broken'" in message and "'karmayogi-broken'" in message
    assert "No module named 'karmayogi_missing_dependency'" in message
    assert "skip_broken_plugins" in message


async def test_skip_broken_plugins_starts_without_it_and_says_so(
    pip_install: Install, make_gateway: MakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    pip_install(PACKAGES / "broken")
    pip_install(PACKAGES / "hello")
    client = await make_gateway(skip_broken_plugins=True)
    assert "broken" not in client.gateway.plugins.infos
    assert "hello" in client.gateway.plugins.infos  # the healthy one still loads
    ready = await client.http.get("/readyz")
    assert ready.status_code == 200
    failed = ready.json()["failedPlugins"]
    assert failed["broken"]["source"] == "entry point (karmayogi-broken)"
    assert "karmayogi_missing_dependency" in failed["broken"]["error"]

    monkeypatch.setenv("KARMAYOGI_SKIP_BROKEN_PLUGINS", "true")
    listed = CliRunner().invoke(build_cli(), ["plugins"])
    assert listed.exit_code == 0, listed.output
    line = next(row for row in listed.output.splitlines() if row.startswith("broken"))
    assert "karmayogi-broken" in line and "FAILED" in line
    assert "karmayogi_missing_dependency" in line


def test_cli_refuses_a_broken_plugin_without_the_setting(pip_install: Install) -> None:
    pip_install(PACKAGES / "broken")
    listed = CliRunner().invoke(build_cli(), ["plugins"])
    assert listed.exit_code == 1
    assert "karmayogi-broken" in listed.output and "karmayogi_missing_dependency" in listed.output
