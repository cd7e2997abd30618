"""The session keys variable exactly as docs/identity.md and docs/deployment.md
write it: a JSON list whose PEM has its line breaks escaped as ``\\n``, given
through a real shell and in production mode."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from gateway.host import build_gateway
from gateway.settings import load_settings
from plugins.identity.keys import load_key
from plugins.identity.settings import IdentitySettings
from plugins.passbook.signing import new_seed
from schema.errors import StartupError
from tests.identity.helpers import ed25519_pem

DOCS = Path(__file__).resolve().parents[2] / "docs"
VARIABLE = "KARMAYOGI_PLUGINS__IDENTITY__SESSION_KEYS"
PLACEHOLDER = "-----BEGIN PRIVATE KEY-----\\n..."
PRODUCTION_ENV = {
    "KARMAYOGI_ENVIRONMENT": "production",
    "KARMAYOGI_SECRET_KEY": "p" * 40,
    "KARMAYOGI_DATABASE_URL": "postgresql+asyncpg://gateway@127.0.0.1:5432/none",
}


def documented_assignment(doc: str) -> str:
    """The doc's ``VARIABLE='...'`` shell assignment, as written."""
    found = re.search(rf"`({VARIABLE}='[^']*')`", (DOCS / doc).read_text())
    assert found is not None, f"{doc} no longer shows {VARIABLE}"
    assert PLACEHOLDER in found.group(1)
    return found.group(1)


def with_key(assignment: str, pem: str) -> str:
    """The documented assignment with a real key where the doc has ``...``,
    its line breaks escaped the way the doc (and JSON) writes them."""
    escaped = pem.replace("\n", "\\n")
    assert "\n" not in escaped and "\\n" in escaped
    return assignment.replace(PLACEHOLDER, escaped)


def public_bytes(pem: str) -> bytes:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


LOADER = """
from cryptography.hazmat.primitives import serialization
from gateway.host import build_gateway
from plugins.identity.keys import load_key
from plugins.identity.settings import IdentitySettings
from gateway.settings import load_settings

settings = load_settings()
assert settings.is_production
gateway = build_gateway(settings)  # runs production's refusals
key = load_key(gateway.plugin_settings(IdentitySettings).session_keys[0])
raw = key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
print(key.kid, key.algorithm, raw.hex())
"""


@pytest.mark.parametrize("doc", ["identity.md", "deployment.md"])
def test_the_documented_variable_works_through_a_shell_in_production(doc: str, tmp_path: Path) -> None:
    pem = ed25519_pem()
    script = tmp_path / "start.sh"
    lines = [f"export {with_key(documented_assignment(doc), pem)}"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in PRODUCTION_ENV.items()]
    lines.append(f"export KARMAYOGI_PLUGINS__PASSBOOK__SIGNING_KEY={new_seed()}")
    lines.append(f'exec {shlex.quote(sys.executable)} -c "$LOADER"')
    script.write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARMAYOGI_")}
    result = subprocess.run(
        ["bash", str(script)],
        env={**env, "LOADER": LOADER},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2026-11", "EdDSA", public_bytes(pem).hex()]


def test_the_documented_value_loads_from_the_environment_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem = ed25519_pem()
    name, _, quoted = with_key(documented_assignment("identity.md"), pem).partition("=")
    value = quoted[1:-1]  # what the shell hands the process: the text between the quotes
    assert name == VARIABLE and value.startswith('[{"kid": "2026-11"')
    monkeypatch.setenv(VARIABLE, value)
    monkeypatch.setenv("KARMAYOGI_PLUGINS__PASSBOOK__SIGNING_KEY", new_seed())
    for key, setting in PRODUCTION_ENV.items():
        monkeypatch.setenv(key, setting)
    settings = load_settings()
    assert settings.is_production and settings.production_problems() == []
    gateway = build_gateway(settings)
    keys = gateway.plugin_settings(IdentitySettings).session_keys
    assert [k.kid for k in keys] == ["2026-11"]
    signing = load_key(keys[0])
    raw = signing.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw == public_bytes(pem)


def identity_error(monkeypatch: pytest.MonkeyPatch, value: str) -> str:
    monkeypatch.setenv(VARIABLE, value)
    with pytest.raises(StartupError) as refused:
        build_gateway(load_settings())
    return str(refused.value)


def test_raw_line_breaks_in_the_key_are_read_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # e.g. VAR="[{\"kid\": \"k1\", \"private_key\": \"$(cat key.pem)\"}]", or a YAML double-quoted string
    pem = ed25519_pem()
    monkeypatch.setenv(VARIABLE, json.dumps([{"kid": "k1", "private_key": "PEM"}]).replace("PEM", pem))
    keys = build_gateway(load_settings()).plugin_settings(IdentitySettings).session_keys
    assert [k.kid for k in keys] == ["k1"]


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        ("object", "got one object: put it in [ ]"),
        ("single-quoted", "wrapped in ' quotes"),
        ("double-quoted", 'wrapped in " quotes'),
        ("not-json", "it is not JSON"),
    ],
)
def test_near_misses_are_refused_with_a_hint_and_without_the_key(
    monkeypatch: pytest.MonkeyPatch, shape: str, hint: str
) -> None:
    pem = ed25519_pem()
    body = pem.splitlines()[1]
    one = json.dumps({"kid": "k1", "private_key": pem})
    value = {
        "object": one,
        "single-quoted": f"'[{one}]'",
        "double-quoted": f'"[{one}]"',
        "not-json": f"[{{kid: k1, private_key: {json.dumps(pem)}}}]",
    }[shape]
    message = identity_error(monkeypatch, value)
    assert "plugins.identity.session_keys" in message and "JSON list" in message
    assert hint in message
    assert body not in message
