"""Catalogue search requests per second on one worker, beside a baseline.

    .venv/bin/python bench/catalogue_search.py [--requests 300] [--concurrency 8]

Sets up, in a temporary folder: a SQLite database with the demo directory and
1,000 ISTM courses (``karmayogi catalogue sync istm``), and the IGNOU stand-in
serving 1,000 programmes on loopback. Then it starts ``karmayogi serve`` with
one worker pointed at the stand-in and sends, over HTTP on 127.0.0.1:

* ``baseline``: ``{ __typename }``, the endpoint's floor in the same run;
* ``browse``: ``courses(first: 20, filter: {areas: [DOMAIN]})`` with facets;
* ``search``: ``courses(search: ..., first: 20)`` with facets, rotating six
  searches (IGNOU's answers cached for ``cache_ttl_seconds``, 60 s);
* ``search, IGNOU uncached``: the same with ``cache_ttl_seconds = 0``, so
  every request also makes one request to the stand-in (a second server).

Prints requests per second, p50 and p99 milliseconds. Bounded: each row sends
``--requests`` requests and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from gateway.live_server import live_gateway
from plugins.content_ignou.standin.programmes import generated_programmes
from plugins.content_ignou.standin.server import StandIn
from plugins.content_istm.testing import grown_feed

SEARCHES = ["office", "certificate", "rules", "disaster management", "cyber", "procedure"]
BROWSE = """{ courses(first: 20, filter: {areas: [DOMAIN]}) { totalCount
  edges { node { id title provider { id } } } facets { providers { value count } } } }"""
SEARCH = """query($q: String) { courses(search: $q, first: 20) { totalCount
  edges { node { id title provider { id } } }
  facets { categories { value count } providers { value count } areas { value count } } } }"""


async def measure(url: str, bodies: list[dict[str, Any]], concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    queue = list(bodies)
    async with httpx.AsyncClient(timeout=60) as client:

        async def worker() -> None:
            while queue:
                body = queue.pop()
                start = time.perf_counter()
                response = await client.post(url, json=body)
                latencies.append(time.perf_counter() - start)
                payload = response.json()
                if response.status_code != 200 or payload.get("errors"):
                    raise RuntimeError(f"bench request failed: {payload}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--courses", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="karmayogi-bench-"))
    database = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    standin = StandIn(generated_programmes(args.courses)).start()
    env = {"KARMAYOGI_DATABASE_URL": database, "KARMAYOGI_LOG_JSON": "true", "KARMAYOGI_LOG_LEVEL": "WARNING"}
    feed = folder / "istm.json"
    feed.write_bytes(grown_feed(args.courses))
    subprocess.run(
        [sys.executable, "-m", "gateway", "catalogue", "sync", "istm", str(feed)],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    n = args.requests
    rows: list[tuple[str, dict[str, float]]] = []
    try:
        for ttl, label in ((60, ""), (0, ", IGNOU uncached")):
            server_env = {
                **env,
                "KARMAYOGI_PLUGINS__CONTENT_IGNOU__URL": standin.url,
                "KARMAYOGI_PLUGINS__CONTENT_IGNOU__CACHE_TTL_SECONDS": str(ttl),
            }
            with live_gateway(server_env, workers=1, log_path=str(folder / "server.log")) as live:
                url = f"{live.url}/graphql"
                searches = [
                    {"query": SEARCH, "variables": {"q": SEARCHES[i % len(SEARCHES)]}} for i in range(n)
                ]
                asyncio.run(measure(url, searches[:24], 4))  # warm up
                if ttl:
                    rows.append(
                        (
                            "baseline",
                            asyncio.run(measure(url, [{"query": "{ __typename }"}] * n, args.concurrency)),
                        )
                    )
                    rows.append(
                        ("browse", asyncio.run(measure(url, [{"query": BROWSE}] * n, args.concurrency)))
                    )
                rows.append((f"search{label}", asyncio.run(measure(url, searches, args.concurrency))))
    finally:
        standin.stop()
    print(
        f"{n} requests per row, {args.concurrency} concurrent, one uvicorn worker, "
        f"{args.courses} ISTM + {args.courses} IGNOU (remote) courses"
    )
    print(f"{'row':26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}")
    base = rows[0][1]["rps"]
    for name, m in rows:
        print(f"{name:26} {m['rps']:8.1f} {m['p50']:8.1f} {m['p99']:8.1f} {m['rps'] / base:11.2%}")


if __name__ == "__main__":
    main()
