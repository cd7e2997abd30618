"""A frontend's typed client: ``karmayogi schema`` prints plain SDL that
graphql-core and GraphQL Code Generator (tools/codegen, installed by ``npm
ci`` from its lockfile) accept, from the file and from the running server's
URL; ``--federation`` prints the subgraph SDL (issue 14, docs/frontend.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from gateway.live_server import live_gateway

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools/codegen"
INSTALL = "npm ci --prefix tools/codegen"
DASHBOARD = (ROOT / "bench/queries/dashboard.graphql").read_text()

CONFIG = """
schema: {schema}
documents: {folder}/dashboard.graphql
generates:
  {folder}/client.ts:
    plugins: [typescript, typescript-operations]
    config:
      scalars: {{ DateTime: string, Date: string }}
"""


def karmayogi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gateway", *args]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=120)


def codegen(folder: Path, schema: str) -> str:
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed for the codegen test (install node).")
    binary = TOOL / "node_modules/.bin/graphql-codegen"
    if not binary.is_file():
        pytest.fail(f"GraphQL Code Generator is not installed: run `{INSTALL}`.")
    (folder / "dashboard.graphql").write_text(DASHBOARD)
    (folder / "codegen.yml").write_text(CONFIG.format(schema=schema, folder=folder))
    # From the tool's folder, so codegen finds its plugins in tools/codegen/node_modules.
    done = subprocess.run(
        [str(binary), "--config", str(folder / "codegen.yml")],
        cwd=TOOL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return (folder / "client.ts").read_text()


def test_plain_sdl_feeds_graphql_core_and_codegen_from_file_and_url(tmp_path: Path) -> None:
    env = {
        "KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sdl.db'}",
        "KARMAYOGI_LOG_JSON": "false",
    }
    printed = karmayogi("schema", env=env)
    assert printed.returncode == 0, printed.stderr
    sdl = printed.stdout
    assert "@link" not in sdl and "@key" not in sdl and "_entities" not in sdl
    schema = build_schema(sdl)
    assert validate(schema, parse(DASHBOARD)) == []

    (tmp_path / "from-file").mkdir()
    (tmp_path / "from-file/schema.graphql").write_text(sdl)
    typed = codegen(tmp_path / "from-file", str(tmp_path / "from-file/schema.graphql"))
    assert "export type DashboardQuery" in typed and "karmaPoints: number" in typed

    (tmp_path / "from-url").mkdir()
    with live_gateway(env, log_path=str(tmp_path / "server.log")) as server:
        typed_from_url = codegen(tmp_path / "from-url", f"{server.url}/graphql")
    assert "export type DashboardQuery" in typed_from_url
    assert (
        typed_from_url.split("export type DashboardQuery")[1] == typed.split("export type DashboardQuery")[1]
    )


def test_federation_flag_prints_the_subgraph_sdl(tmp_path: Path) -> None:
    env = {
        "KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sdl.db'}",
        "KARMAYOGI_LOG_JSON": "false",
    }
    printed = karmayogi("schema", "--federation", env=env)
    assert printed.returncode == 0, printed.stderr
    assert "@link(url:" in printed.stdout and "@key(" in printed.stdout
