"""Automatic persisted queries and trusted documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.security.persisted import sha256
from gateway.testing import GatewayClient, error_codes
from tests.security.probe import Calls

QUERY = "query Probe { probe { name } }"


def apq(query_hash: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": query_hash}}


@pytest.mark.parametrize("store", ["database", "redis"])
async def test_apq_round_trip_and_get(
    make_probe_gateway: Any, calls: Calls, store: str, request: pytest.FixtureRequest
) -> None:
    overrides: dict[str, Any] = {"persisted_operations": {"get_max_age_seconds": 60}}
    if store == "redis":
        overrides["redis_url"] = request.getfixturevalue("redis_url")
        overrides["redis_prefix"] = request.getfixturevalue("redis_prefix")
    client = await make_probe_gateway(**overrides)
    key = sha256(QUERY)
    # 1. The hash alone is unknown: the client is told so (the APQ protocol).
    miss = await client.http.post("/graphql", json={"extensions": apq(key)})
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert error_codes(miss.json()) == ["NOT_FOUND"]
    assert calls.count == 0
    # 2. Query and hash together: runs and stores it.
    stored = await client.http.post("/graphql", json={"query": QUERY, "extensions": apq(key)})
    assert stored.json()["data"] == {"probe": {"name": "p"}}
    # 3. From now on the hash is enough, over GET too, cacheable when anonymous.
    hit = await client.http.get("/graphql", params={"extensions": json.dumps(apq(key))})
    assert hit.status_code == 200
    assert hit.json()["data"] == {"probe": {"name": "p"}}
    assert hit.headers["cache-control"] == "public, max-age=60"
    # A second gateway on the same store knows it too (no worker-local state).
    other = await make_probe_gateway(**overrides)
    again = await other.http.post("/graphql", json={"extensions": apq(key)})
    assert again.json()["data"] == {"probe": {"name": "p"}}


async def test_apq_refuses_a_hash_that_does_not_match(probe_client: GatewayClient, calls: Calls) -> None:
    response = await probe_client.http.post(
        "/graphql", json={"query": QUERY, "extensions": apq(sha256("{ something { else } }"))}
    )
    assert response.status_code == 400
    assert "does not match" in response.json()["errors"][0]["message"]
    bad = await probe_client.http.post(
        "/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}}
    )
    assert bad.status_code == 400
    assert calls.count == 0


async def test_graphql_response_json_gets_a_4xx_for_an_unknown_hash(probe_client: GatewayClient) -> None:
    response = await probe_client.http.post(
        "/graphql",
        json={"extensions": apq(sha256(QUERY))},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"


def write_operations(tmp_path: Path) -> list[Path]:
    single = tmp_path / "probe.graphql"
    single.write_text(QUERY)
    manifest = tmp_path / "manifest.json"
    body = "query Probes { probes(first: 2) { name } }"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha256(body), "name": "Probes", "type": "query", "body": body}],
            }
        )
    )
    return [single, manifest]


def karmayogi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_trusted_documents_registered_by_the_command_are_all_that_runs(
    make_probe_gateway: Any, database_url: str, tmp_path: Path, calls: Calls
) -> None:
    # Migrate (the development gateway does), then register through the CLI.
    await make_probe_gateway()
    files = write_operations(tmp_path)
    env = {"KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOAD_DEMO_DATA": "false"}
    done = karmayogi("operations", "register", *map(str, files), env=env)
    assert done.returncode == 0, done.stderr
    assert "Registered 2 operation(s); 0 already registered." in done.stdout
    again = karmayogi("operations", "register", str(files[0]), env=env)
    assert "Registered 0 operation(s); 1 already registered." in again.stdout

    client = await make_probe_gateway(persisted_operations={"trusted_only": True})
    # Registered: by exact text, and by hash.
    body = await client.graphql(QUERY)
    assert body["data"] == {"probe": {"name": "p"}}
    by_hash = await client.http.post(
        "/graphql", json={"extensions": apq(sha256("query Probes { probes(first: 2) { name } }"))}
    )
    assert by_hash.json()["data"] == {"probes": [{"name": "p0"}, {"name": "p1"}]}
    # Anything else is refused before it runs, and APQ cannot register it.
    calls.count = 0
    for payload in (
        {"query": "{ probe { name child { name } } }"},
        {"query": "{ probe { name } }", "extensions": apq(sha256("{ probe { name } }"))},
        {"extensions": apq(sha256("{ probe { name } }"))},
    ):
        response = await client.http.post("/graphql", content=orjson.dumps(payload), headers=JSON)
        assert response.status_code == 403, payload
        assert error_codes(response.json()) == ["FORBIDDEN"]
    assert calls.count == 0


JSON = {"content-type": "application/json"}


async def test_register_refuses_bad_files(tmp_path: Path, database_url: str) -> None:
    broken = tmp_path / "ops.json"
    broken.write_text("{not json")
    env = {"KARMAYOGI_DATABASE_URL": database_url}
    done = karmayogi("operations", "register", str(broken), env=env)
    assert done.returncode == 1
    assert "not valid JSON" in done.stderr
    other = tmp_path / "ops.txt"
    other.write_text(QUERY)
    done = karmayogi("operations", "register", str(other), env=env)
    assert done.returncode == 1
    assert "expected .graphql" in done.stderr


def test_a_manifest_with_ids_that_are_not_sha256_is_refused_at_registration(tmp_path: Path) -> None:
    """Clients call a registered operation by ``sha256Hash``; an id of another
    shape would register and never run, so the command refuses the file,
    naming every bad id, and registers nothing."""
    from gateway.security.persisted import read_operations

    body = "query Probes { probes(first: 2) { name } }"
    manifest = tmp_path / "custom-ids.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": "probes-v1", "name": "Probes", "type": "query", "body": body},
                    {"id": sha256(body).upper(), "name": "Same", "type": "query", "body": body},
                    {"id": "abc123", "name": "Short", "type": "query", "body": "{ probe { name } }"},
                ],
            }
        )
    )
    with pytest.raises(ValueError) as refused:
        read_operations(manifest)
    assert "'probes-v1'" in str(refused.value) and "'abc123'" in str(refused.value)
    assert sha256(body).upper() not in str(refused.value)  # upper-case hex is a hash
    codegen_map = tmp_path / "map.json"
    codegen_map.write_text(json.dumps({"sha1-like-0123": body}))
    with pytest.raises(ValueError, match="sha1-like-0123"):
        read_operations(codegen_map)
    done = karmayogi("operations", "register", str(manifest), env={})
    assert done.returncode != 0 and "probes-v1" in done.stderr + done.stdout
