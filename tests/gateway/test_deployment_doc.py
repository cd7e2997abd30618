"""The production settings example in docs/deployment.md is valid and passes
production's checks (docs that cannot drift)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gateway.host import build_gateway
from gateway.settings import load_settings
from gateway.testing import production_plugin_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def test_the_production_example_loads_and_passes_production_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session signing key comes from the environment, as the doc says.
    keys = production_plugin_settings()["identity"]["session_keys"]
    monkeypatch.setenv("KARMAYOGI_PLUGINS__IDENTITY__SESSION_KEYS", json.dumps(keys))
    block = re.search(r"```toml\n(.*?)```", DOC.read_text(), re.S)
    assert block is not None
    config = tmp_path / "production.toml"
    config.write_text(block.group(1))
    # The session signing keys are given apart from the file, as the doc says.
    settings = load_settings(config, plugins=production_plugin_settings())
    assert settings.is_production
    assert settings.production_problems() == []
    assert settings.rate_limits_enabled and not settings.introspection_enabled
    assert not settings.suggestions_enabled
    assert settings.persisted_operations.trusted_only
    # Building the gateway runs every start-up check (plugins, settings) without connecting.
    gateway = build_gateway(settings)
    assert gateway.settings.tracing.sample_ratio == 0.05
