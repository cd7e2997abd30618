"""What signing in costs per request, measured in one run.

    .venv/bin/python bench/sessions.py [--requests 500] [--redis redis://127.0.0.1:6379/1]

One gateway per row (all built-in plugins, demo data in a fresh SQLite file),
the same ``{ me { id name } }`` over HTTP in process (httpx on the ASGI app):

* ``anonymous``: no credentials (``me`` is null, no learner is read);
* ``trusted header``: the tests' ``X-Test-Learner`` identity, one SELECT to
  find the learner and no signature (the baseline: same reads as a session
  minus the token);
* ``session, database``: a gateway session token; verifying it is a
  signature check plus one SELECT for revocation;
* ``session, redis``: the same, revocation read from Redis (with ``--redis``).

Then the signature alone, per algorithm a session key may use. Prints mean,
p50 and p99 microseconds and the difference to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing import header_identity
from plugins.identity import tokens
from plugins.identity.keys import KeyRing, SigningKey, algorithm_for
from plugins.identity.runtime import session_service

QUERY = {"query": "{ me { id name } }"}


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return (
        statistics.fmean(ordered),
        ordered[len(ordered) // 2],
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    )


async def http_row(folder: Path, name: str, requests: int, redis: str | None, how: str) -> list[float]:
    overrides: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{folder / (name.replace(' ', '-') + '.db')}",
        "log_json": False,
    }
    if redis:
        overrides["redis_url"] = redis
    app = create_app(load_settings(**overrides), extra_plugins=[("header", header_identity)])
    gateway = app.state.gateway
    await gateway.start()
    try:
        headers = {"X-Test-Learner": "learner:demo-asha"} if how == "header" else {}
        if how == "session":
            issued = await session_service(gateway).start("learner:demo-asha", "bench")
            headers = {"Authorization": f"Bearer {issued.access_token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(20):  # warm up caches and pools
                await client.post("/graphql", json=QUERY, headers=headers)
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                response = await client.post("/graphql", json=QUERY, headers=headers)
                samples.append((time.perf_counter() - started) * 1e6)
                assert response.status_code == 200
            body = response.json()
            assert (body["data"]["me"] is not None) == (how != "anonymous"), body
        return samples
    finally:
        await gateway.stop()


def signature_rows(rounds: int) -> list[tuple[str, list[float]]]:
    rows = []
    keys = {
        "EdDSA": ed25519.Ed25519PrivateKey.generate(),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }
    now = dt.datetime.now(dt.UTC)
    for name, key in keys.items():
        ring = KeyRing([SigningKey("bench", algorithm_for(key, "bench"), key)], dt.timedelta(minutes=15))
        token, _ = tokens.issue(
            ring, issuer="https://bench", learner_id="l", session_id="s", source="bench", now=now
        )
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            tokens.verify(ring, token, issuer="https://bench", leeway=30, now=now)
            samples.append((time.perf_counter() - started) * 1e6)
        rows.append((f"verify {name}", samples))
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--redis", default=None)
    args = parser.parse_args()
    rows: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(("anonymous", await http_row(folder, "anon", args.requests, None, "anonymous")))
        rows.append(("trusted header", await http_row(folder, "header", args.requests, None, "header")))
        rows.append(("session, database", await http_row(folder, "db", args.requests, None, "session")))
        if args.redis:
            redis_row = await http_row(folder, "redis", args.requests, args.redis, "session")
            rows.append(("session, redis", redis_row))
    baseline = statistics.fmean(rows[1][1])
    print(f"{args.requests} requests per row, POST /graphql in process (microseconds per request)")
    print(f"{'row':22} {'mean':>8} {'p50':>8} {'p99':>8} {'vs baseline':>12}")
    print("-" * 62)
    for name, samples in rows:
        mean, p50, p99 = summary(samples)
        print(f"{name:22} {mean:8.0f} {p50:8.0f} {p99:8.0f} {mean - baseline:+12.0f}")
    print()
    print(f"{'signature only':22} {'mean':>8} {'p50':>8} {'p99':>8}")
    print("-" * 49)
    for name, samples in signature_rows(2000):
        mean, p50, p99 = summary(samples)
        print(f"{name:22} {mean:8.1f} {p50:8.1f} {p99:8.1f}")


if __name__ == "__main__":
    asyncio.run(main())
