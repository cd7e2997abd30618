"""``karmayogi plan`` and ``karmayogi subgraphs check``, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from plugins.subgraphs.standin.hrms import build_schema
from plugins.subgraphs.standin.server import HrmsStandIn


def karmayogi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def settings(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "karmayogi.toml"
    path.write_text("\n".join(f"[[plugins.subgraphs.subgraphs]]\n{e}\n" for e in entries))
    return path


def env(database_url: str) -> dict[str, str]:
    return {"KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOG_JSON": "false"}


def test_plan_says_who_resolves_what(tmp_path: Path, hrms: HrmsStandIn, database_url: str) -> None:
    config = settings(tmp_path, f'name = "hrms"\nurl = "{hrms.url}"')
    query = tmp_path / "officers.graphql"
    query.write_text(
        '{ me { name serviceRecord { cadre } } hrmsOfficers(cadre: "CSS") { name serviceRecord { cadre } } }'
    )
    result = karmayogi("plan", str(query), "--config", str(config), env=env(database_url))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("2 subgraph request(s)")
    assert "wave 1:\n  1 request to hrms: me.serviceRecord, hrmsOfficers" in out
    assert "wave 2:\n  1 request to hrms: hrmsOfficers.serviceRecord" in out
    assert "gateway: me, me.name, hrmsOfficers.name" in out
    assert hrms.requests == 0  # planning sends nothing


def test_plan_refuses_an_invalid_operation(tmp_path: Path, hrms: HrmsStandIn, database_url: str) -> None:
    config = settings(tmp_path, f'name = "hrms"\nurl = "{hrms.url}"')
    query = tmp_path / "bad.graphql"
    query.write_text("{ me { salary } }")
    result = karmayogi("plan", str(query), "--config", str(config), env=env(database_url))
    assert result.returncode == 1
    assert "salary" in result.stderr and "Traceback" not in result.stderr


def test_check_says_what_changed_and_whether_it_composes(
    tmp_path: Path, hrms: HrmsStandIn, database_url: str
) -> None:
    live = build_schema().as_str()
    old = live.replace("postingCount: Int!", "").replace(
        "type Query {", "type Query {\n  hrmsRetired: [String!]!"
    )
    pin = tmp_path / "hrms.graphql"
    pin.write_text(old)
    config = settings(tmp_path, f'name = "hrms"\nurl = "{hrms.url}"\nsdl_file = "{pin}"')
    result = karmayogi("subgraphs", "check", "--config", str(config), env=env(database_url))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hrms: 2 change(s)" in result.stdout
    assert "added field ServiceRecord.postingCount" in result.stdout
    assert "removed field Query.hrmsRetired" in result.stdout
    assert "The live SDLs compose with the gateway." in result.stdout


def test_check_says_when_a_change_breaks_the_graph(
    tmp_path: Path, hrms: HrmsStandIn, database_url: str
) -> None:
    pin = tmp_path / "hrms.graphql"
    pin.write_text(build_schema().as_str())
    # A second subgraph pinned to a harmless SDL whose live SDL now redefines the HRMS's types.
    other = tmp_path / "other.graphql"
    other.write_text("type Query { otherNews: [String!]! }")
    config = settings(
        tmp_path,
        f'name = "hrms"\nurl = "{hrms.url}"\nsdl_file = "{pin}"',
        f'name = "other"\nurl = "{hrms.url}"\nsdl_file = "{other}"',
    )
    result = karmayogi("subgraphs", "check", "--config", str(config), env=env(database_url))
    assert result.returncode == 1
    assert "other: " in result.stdout and "removed field Query.otherNews" in result.stdout
    assert "break the composed graph" in result.stdout
    assert "Subgraph 'other'" in result.stdout


def test_demo_subgraph_serves_a_federation_subgraph(tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with subprocess.Popen(
        [sys.executable, "-m", "gateway", "demo", "subgraph", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline() + process.stdout.readline()
            assert f"http://127.0.0.1:{port}/graphql" in banner
            for _ in range(200):
                try:
                    body = httpx.post(
                        f"http://127.0.0.1:{port}/graphql", json={"query": "{ _service { sdl } }"}
                    ).json()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise AssertionError("the demo subgraph did not start")
            sdl = body["data"]["_service"]["sdl"]
            assert 'type Learner @key(fields: "id")' in sdl
            assert "serviceRecord: ServiceRecord" in sdl
        finally:
            process.terminate()
            process.wait(timeout=10)
