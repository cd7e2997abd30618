"""``karmayogi new-plugin``: the generated package installs with pip, is found
through its entry point and passes its own tests against the gateway."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import build_cli
from gateway.testing import MakeGateway


def generate(tmp_path: Path, name: str) -> Path:
    result = CliRunner().invoke(build_cli(), ["new-plugin", name, "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path / f"karmayogi-{name.replace('_', '-')}"


def test_generated_plugin_installs_and_passes_its_tests(
    tmp_path: Path, pip_install: Callable[[Path], Path]
) -> None:
    package = generate(tmp_path, "hr_training")
    site = pip_install(package)
    assert (site / "karmayogi_hr_training" / "migrations" / "versions" / "0001_initial.py").is_file()
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


async def test_generated_plugin_joins_the_graph(
    tmp_path: Path, pip_install: Callable[[Path], Path], make_gateway: MakeGateway
) -> None:
    pip_install(generate(tmp_path, "state_hrms"))
    client = await make_gateway(plugins={"state_hrms": {"greeting": "Swagat"}})
    assert client.gateway.plugins.infos["state_hrms"].source == "entry point (karmayogi-state-hrms)"
    body = await client.graphql("{ stateHrmsHello me { stateHrmsNote } }", as_learner="learner:demo-asha")
    assert body["data"] == {
        "stateHrmsHello": "Swagat from state_hrms",
        "me": {"stateHrmsNote": "Demo note from state_hrms"},
    }
    status = {s.plugin: s for s in await client.gateway.migration_status()}
    assert status["state_hrms"].version_table == "alembic_version_state_hrms"
    assert status["state_hrms"].current == ("0001",)


def test_bad_names_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    for bad in ["", "1st", "Has Space", "a", "core", "x" * 41, "a__b"]:
        result = CliRunner().invoke(build_cli(), ["new-plugin", bad, "--directory", str(tmp_path)])
        assert result.exit_code == 1, bad
        assert "Plugin name" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_package_is_not_overwritten(tmp_path: Path) -> None:
    package = generate(tmp_path, "notes")
    (package / "pyproject.toml").write_text("# mine\n")
    again = CliRunner().invoke(build_cli(), ["new-plugin", "notes", "--directory", str(tmp_path)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert (package / "pyproject.toml").read_text() == "# mine\n"
