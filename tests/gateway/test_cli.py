"""The ``karmayogi`` command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def karmayogi(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOG_JSON": "false"}


def test_plugins_lists_every_built_in_as_a_plugin(env: dict[str, str]) -> None:
    result = karmayogi("plugins", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines[1:] if line.strip() and not line.startswith("Every")]
    assert names[:8] == [
        "directory",
        "catalogue",
        "identity",
        "identity_parichay",
        "content_istm",
        "content_ignou",
        "passbook",
        "subscriptions",
    ]
    directory = next(line for line in lines if line.startswith("directory"))
    assert "built-in" in directory and "register_schema" in directory
    assert "Every plugin above can be blocked" in result.stdout and "kernel" in result.stdout


def test_plugins_shows_a_blocked_built_in(env: dict[str, str]) -> None:
    result = karmayogi("plugins", env={**env, "KARMAYOGI_PLUGINS_BLOCK": '["catalogue"]'})
    assert result.returncode == 0, result.stderr
    catalogue = next(line for line in result.stdout.splitlines() if line.startswith("catalogue"))
    assert "BLOCKED" in catalogue


def test_schema_prints_the_composed_sdl(env: dict[str, str]) -> None:
    result = karmayogi("schema", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "type Query" in result.stdout and "completeProfile(input: ProfileInput!): Learner!" in result.stdout
    )


def test_db_upgrade_then_demo_load_then_refuses_a_second_load(env: dict[str, str]) -> None:
    upgraded = karmayogi("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "core" in upgraded.stdout
    assert "Already up to date" in karmayogi("db", "upgrade", env=env).stdout
    status = karmayogi("db", "status", env=env)
    assert "PENDING" not in status.stdout and "core" in status.stdout
    loaded = karmayogi("demo", "load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Demo data" in loaded.stdout
    again = karmayogi("demo", "load", env=env)
    assert again.returncode == 1 and "empty" in again.stderr


def test_bad_settings_are_reported_without_a_traceback(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("limits = 3\nnot_a_setting = true\n")
    result = karmayogi("schema", "--config", str(config), env=env)
    assert result.returncode == 1
    assert "not_a_setting" in result.stderr and "Traceback" not in result.stderr
