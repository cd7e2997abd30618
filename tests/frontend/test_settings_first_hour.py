"""Settings where a new user looks (issue 14): ./karmayogi.toml is read,
``karmayogi --config FILE`` works as the README shows, ``serve`` says which
file it read and which state modules are on, a bad value is one plain line,
and development sessions last a working day."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.live_server import live_gateway
from gateway.serve import announce
from gateway.settings import load_settings
from gateway.testing import MakeGateway
from plugins.identity.settings import IdentitySettings


def karmayogi(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KARMAYOGI_")}
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )


def test_karmayogi_toml_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KARMAYOGI_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_settings().file is None
    (tmp_path / "karmayogi.toml").write_text('public_url = "http://127.0.0.1:9000"\n')
    settings = load_settings()
    assert settings.file == Path("karmayogi.toml") and settings.public_url == "http://127.0.0.1:9000"


def test_config_option_before_the_command_as_the_readme_shows(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('plugins_block = ["catalogue"]\n')
    env = {"KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    listed = karmayogi("--config", "mine.toml", "plugins", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    catalogue = next(line for line in listed.stdout.splitlines() if line.startswith("catalogue"))
    assert "BLOCKED" in catalogue


def test_a_bad_value_stops_serve_with_one_plain_line(tmp_path: Path) -> None:
    (tmp_path / "karmayogi.toml").write_text('state_modules = ["haryana_ai_skilling"]\n')
    env = {"KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    served = karmayogi("serve", "--port", "1", cwd=tmp_path, env=env)
    assert served.returncode == 1
    lines = served.stderr.strip().splitlines()
    assert len(lines) == 1, served.stderr
    assert "state_modules" in lines[0] and "karmayogi.toml" in lines[0] and "Traceback" not in lines[0]
    assert served.stdout == ""


def test_serve_logs_the_settings_file_it_read(tmp_path: Path) -> None:
    config = tmp_path / "karmayogi.toml"
    config.write_text("log_json = false\n")
    env = {
        "KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "KARMAYOGI_CONFIG": str(config),
    }
    with live_gateway(env, log_path=str(tmp_path / "server.log")) as server:
        output = server.output()
    assert f"settings read from {config.resolve()}" in output
    assert "no state modules are on" in output


def test_announce_names_each_state_module_and_its_states(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="gateway.serve"):
        announce(load_settings(), {"haryana_ai_skilling": ["org:haryana"]})
    assert "state module haryana_ai_skilling is on for org:haryana" in caplog.text


async def test_development_sessions_last_a_working_day(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    answer = await client.browser().post(
        "/auth/dev", data={"learner": "learner:demo-asha"}, headers={"Accept": "application/json"}
    )
    expires = dt.datetime.fromisoformat(answer.json()["expiresAt"])
    left = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=7, minutes=55) < left <= dt.timedelta(hours=8)
    cookie = answer.headers.get_list("set-cookie")[0]
    assert "Max-Age=28" in cookie  # 28,7xx seconds: the cookie lasts as long as the token


def test_production_sessions_stay_short() -> None:
    assert IdentitySettings().access_minutes(production=True) == 15
    assert IdentitySettings(access_token_minutes=30).access_minutes(production=False) == 30
