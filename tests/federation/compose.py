"""Runs Apollo's composition library (tools/federation, installed by ``npm ci``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "federation"
INSTALL = "npm ci --prefix tools/federation"


def compose(subgraphs: list[dict[str, str]]) -> dict[str, Any]:
    """Compose ``[{"name", "url", "sdl"}]``; returns errors, hints, supergraphSdl.

    Fails (never skips) when Node or the npm package is missing, saying how to
    install it.
    """
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the federation composition test (install node).")
    if not (TOOL / "node_modules" / "@apollo" / "composition").is_dir():
        pytest.fail(f"@apollo/composition is not installed: run `{INSTALL}`.")
    done = subprocess.run(
        [node, str(TOOL / "compose.mjs")],
        input=json.dumps(subgraphs),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode not in (0, 1):
        pytest.fail(f"compose.mjs failed ({done.returncode}): {done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result
