"""Two real uvicorn workers (``karmayogi serve --workers 2``) against one
database and one Redis: a rate limit is shared, and SIGTERM drains a request
in flight.

On the PostgreSQL pass of the suite (``KARMAYOGI_TEST_DATABASE_URL``) the
workers share PostgreSQL; on the SQLite pass, one SQLite file. Which worker
answered is read from each worker's own Prometheus multiprocess file.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.live_server import LiveGateway, live_gateway, stop
from tests.security.probe import redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures


MAX_WAVES = 40


def server_env(database_url: str, redis_url: str, prefix: str, metrics_dir: Path) -> dict[str, str]:
    return {
        "KARMAYOGI_DATABASE_URL": database_url,
        "KARMAYOGI_REDIS_URL": redis_url,
        "KARMAYOGI_REDIS_PREFIX": prefix,
        "KARMAYOGI_RATE_LIMITS__ENABLED": "true",
        "KARMAYOGI_RATE_LIMITS__PER_ADDRESS_PER_MINUTE": "1",
        "KARMAYOGI_RATE_LIMITS__ADDRESS_BURST": "6",
        "KARMAYOGI_LOG_JSON": "false",
        "KARMAYOGI_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }


def requests_by_worker(metrics_dir: Path) -> dict[int, float]:
    """Each worker process writes its own metrics file: requests counted per pid."""
    counts: dict[int, float] = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = int(re.findall(r"\d+", path.name)[0])
        for metric in MultiProcessCollector.merge([str(path)]):
            for sample in metric.samples:
                if sample.name == "karmayogi_graphql_requests_total":
                    counts[pid] = counts.get(pid, 0) + sample.value
    return {pid: n for pid, n in counts.items() if n}


async def one_request(url: str) -> int:
    # A new connection each time, so the kernel hands them to either worker.
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ competencies(area: DOMAIN) { id } }"},
            headers={"connection": "close"},
        )
        return response.status_code


async def test_two_workers_share_one_rate_limit(
    database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = server_env(database_url, redis_url, redis_prefix, metrics_dir)
    with live_gateway(env, workers=2, log_path=str(tmp_path / "server.log")) as server:
        statuses: list[int] = []
        # Waves of concurrent new connections until both workers have answered
        # (the kernel hands connections to whichever worker accepts first).
        for _ in range(MAX_WAVES):
            statuses += await asyncio.gather(*(one_request(server.url) for _ in range(6)))
            if len(requests_by_worker(metrics_dir)) == 2 and len(statuses) >= 12:
                break
        by_worker = requests_by_worker(metrics_dir)
        assert len(by_worker) == 2, f"requests reached {len(by_worker)} worker(s): {server.output()}"
        # One bucket of 6 for this address across both workers: in-process
        # buckets would have let each worker pass 6.
        assert statuses.count(200) == 6, statuses
        assert statuses.count(429) == len(statuses) - 6


def _raw_post(server: LiveGateway, body: bytes) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=30)
    head = (
        "POST /graphql HTTP/1.1\r\n"
        f"Host: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    conn.sendall(head + body[:10])
    return conn


def test_sigterm_drains_a_request_in_flight(database_url: str, tmp_path: Path) -> None:
    env: dict[str, Any] = {
        "KARMAYOGI_DATABASE_URL": database_url,
        "KARMAYOGI_LOG_JSON": "false",
        "KARMAYOGI_LOG_LEVEL": "WARNING",
    }
    with live_gateway(env, workers=2, log_path=str(tmp_path / "server.log")) as server:
        body = b'{"query": "{ competencies(area: DOMAIN) { id } }"}'
        conn = _raw_post(server, body)  # headers and part of the body sent
        time.sleep(0.5)
        server.process.send_signal(15)  # SIGTERM: stop taking new work, finish this
        time.sleep(1.0)
        conn.sendall(body[10:])
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        conn.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert b'"competencies"' in answer
        assert stop(server) == 0
        # Nothing new is accepted once it has stopped.
        try:
            refused = httpx.get(f"{server.url}/healthz", timeout=2).status_code
        except httpx.HTTPError:
            refused = None
        assert refused is None


def demo_token(env: dict[str, str]) -> str:
    issued = subprocess.run(
        [sys.executable, "-m", "gateway", "token", "asha.verma@dopt.gov.in"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip().splitlines()[-1]


async def me(url: str, token: str) -> tuple[int, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={"authorization": f"Bearer {token}", "connection": "close"},
        )
        return response.status_code, response.json()


async def both_workers(url: str, token: str, metrics_dir: Path) -> list[tuple[int, Any]]:
    """Ask ``me`` in waves of new connections until both workers have answered."""
    before = requests_by_worker(metrics_dir)
    answers: list[tuple[int, Any]] = []
    for _ in range(MAX_WAVES):
        answers += await asyncio.gather(*(me(url, token) for _ in range(6)))
        if len(deltas(before, requests_by_worker(metrics_dir))) == 2:
            return answers
    raise AssertionError(f"only one worker answered {len(answers)} requests")


def deltas(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    return {pid: n - before.get(pid, 0) for pid, n in after.items() if n - before.get(pid, 0)}


async def test_a_session_revoked_through_one_worker_is_refused_by_the_other(
    database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = server_env(database_url, redis_url, redis_prefix, metrics_dir)
    env["KARMAYOGI_RATE_LIMITS__ENABLED"] = "false"
    with live_gateway(env, workers=2, log_path=str(tmp_path / "server.log")) as server:
        token = await asyncio.to_thread(demo_token, env)
        answers = await both_workers(server.url, token, metrics_dir)
        assert all(body["data"]["me"]["id"] == "learner:demo-asha" for _, body in answers)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            out = await client.post("/auth/logout", headers={"authorization": f"Bearer {token}"})
        assert out.status_code in (200, 204), out.text
        # Revoked through one worker, refused by both.
        for status, body in await both_workers(server.url, token, metrics_dir):
            assert status == 401, body
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
