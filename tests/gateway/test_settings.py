"""Settings: TOML file, environment, plugin sections, production refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, SecretStr

from gateway import hookimpl
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing import production_plugin_settings
from schema.errors import StartupError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "karmayogi.toml"
    path.write_text(text)
    return path


def test_toml_file_then_environment_take_effect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        'public_url = "https://learn.example.gov.in"\nlog_level = "WARNING"\n[limits]\nmax_depth = 9\n',
    )
    monkeypatch.setenv("KARMAYOGI_LOG_LEVEL", "ERROR")
    monkeypatch.setenv("KARMAYOGI_LIMITS__MAX_ALIASES", "7")
    settings = load_settings(path)
    assert settings.public_url == "https://learn.example.gov.in"
    assert settings.log_level == "ERROR"  # environment beats the file
    assert settings.limits.max_depth == 9 and settings.limits.max_aliases == 7


def test_unknown_key_stops_startup_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, 'databse_url = "sqlite+aiosqlite:///x.db"\n')
    with pytest.raises(StartupError, match="databse_url"):
        load_settings(path)


def test_invalid_value_stops_startup_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'environment = "staging"\n[limits]\nmax_depth = "deep"\n')
    with pytest.raises(StartupError) as caught:
        load_settings(path)
    assert "environment" in str(caught.value) and "limits.max_depth" in str(caught.value)


def test_missing_settings_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


class CourierSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    endpoint: str
    retries: int = 3
    api_key: SecretStr = SecretStr("dev-key")

    def production_problems(self) -> list[str]:
        return ["api_key: set a real key"] if self.api_key.get_secret_value() == "dev-key" else []


class Courier:
    @hookimpl
    def register_settings_model(self) -> type[BaseModel]:
        return CourierSettings


def db(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 's.db'}"


def test_plugin_section_is_validated_by_the_plugin(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=db(tmp_path), plugins={"courier": {"endpoint": "http://127.0.0.1:9"}}
    )
    app = create_app(settings, extra_plugins=[("courier", Courier())])
    section = app.state.gateway.plugin_settings(CourierSettings)
    assert section.endpoint == "http://127.0.0.1:9" and section.retries == 3


def test_bad_plugin_section_names_plugin_and_key(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=db(tmp_path), plugins={"courier": {"endpoint": "x", "retries": "many"}}
    )
    with pytest.raises(StartupError, match=r"plugin 'courier'[\s\S]*plugins\.courier\.retries"):
        create_app(settings, extra_plugins=[("courier", Courier())])


def test_section_for_an_unknown_plugin_is_refused(tmp_path: Path) -> None:
    settings = load_settings(database_url=db(tmp_path), plugins={"couirer": {"endpoint": "x"}})
    with pytest.raises(StartupError, match="couirer"):
        create_app(settings, extra_plugins=[("courier", Courier())])


def test_production_refuses_development_defaults_of_core_and_plugins(tmp_path: Path) -> None:
    settings = load_settings(
        environment="production", auto_migrate=True, plugins={"courier": {"endpoint": "x"}}
    )
    with pytest.raises(StartupError) as caught:
        create_app(settings, extra_plugins=[("courier", Courier())])
    message = str(caught.value)
    for key in ("secret_key", "auto_migrate", "database_url", "plugins.courier.api_key"):
        assert key in message


def test_production_with_real_settings_starts(tmp_path: Path) -> None:
    settings = load_settings(
        environment="production",
        database_url="postgresql+asyncpg://app:pw@db.internal/karmayogi",
        secret_key="s" * 40,
        plugins=production_plugin_settings(),
    )
    app = create_app(settings)
    assert app.state.gateway.settings.graphiql_enabled is False
    assert app.state.gateway.settings.introspection_enabled is False
