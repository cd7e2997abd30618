"""What a remote subgraph costs: requests per wave, and the added latency of a
hop through the gateway beside a direct call to the same subgraph.

    .venv/bin/python bench/subgraph_hop.py [--requests 200]

Starts the HRMS stand-in (``karmayogi demo subgraph``) on loopback and a
gateway in this process (all built-in plugins, demo data in a fresh SQLite
file, the app called through httpx's ASGI transport) joined to it, then:

* requests per wave: the stand-in's own request count for one operation
  asking ``serviceRecord`` of 1, 4 and 12 learners (aliases), and for one with
  a second wave (``hrmsOfficers { serviceRecord }``);
* latency (p50 / p90 microseconds): the root field ``hrmsCadres`` asked of the
  subgraph directly and through the gateway; ``me { name }`` against
  ``me { name serviceRecord { cadre } }`` (the added cost of an entity hop).

A timing goal lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from typing import Any

import httpx

from gateway.app import create_app
from gateway.settings import load_settings
from plugins.subgraphs.standin.server import HrmsStandIn
from schema.services import SIGN_IN

ADMIN = "learner:demo-vikram"
CADRES = "{ hrmsCadres { code name } }"


async def timed(call: Any, n: int) -> list[float]:
    for _ in range(10):  # warm-up
        await call()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1e6)
    return out


def row(name: str, samples: list[float], base: float | None = None) -> str:
    p50 = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    extra = f"{p50 - base:+10.0f}" if base is not None else f"{'':>10}"
    return f"{name:48} {p50:10.0f} {p90:10.0f} {extra}"


async def main(n: int) -> None:
    hrms = HrmsStandIn().start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            load_demo_data=True,
            log_json=False,
            log_level="WARNING",
            rate_limits={"enabled": False},
            plugins={"subgraphs": {"subgraphs": [{"name": "hrms", "url": hrms.url}]}},
        )
        app = create_app(settings)
        gateway = app.state.gateway
        await gateway.start()
        try:
            sign_in = gateway.service(SIGN_IN)
            admin = (await sign_in.start(ADMIN, "bench")).access_token
            asha = (await sign_in.start("learner:demo-asha", "bench")).access_token
            async with (
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw,
                httpx.AsyncClient() as direct,
            ):

                async def ask(query: str, token: str | None = None) -> dict[str, Any]:
                    headers = {"authorization": f"Bearer {token}"} if token else {}
                    response = await gw.post("/graphql", json={"query": query}, headers=headers)
                    body: dict[str, Any] = response.json()
                    if body.get("errors"):
                        raise SystemExit(f"unexpected errors: {body['errors']}")
                    return body

                print("requests per wave (counted by the subgraph)")
                ids = ["learner:demo-asha", "learner:demo-rahul", "learner:demo-meena", ADMIN]
                for count in (1, 4, 12):
                    fields = " ".join(
                        f'l{i}: learner(id: "{ids[i % 4]}") {{ serviceRecord {{ cadre }} }}'
                        for i in range(count)
                    )
                    before = hrms.requests
                    await ask("{ " + fields + " }", admin)
                    print(f"  {count:3} learners, 1 wave : {hrms.requests - before} request(s)")
                before = hrms.requests
                await ask('{ hrmsOfficers(cadre: "CSS") { name serviceRecord { cadre } } }', admin)
                print(f"  hrmsOfficers + their serviceRecord, 2 waves: {hrms.requests - before} request(s)")

                async def call_direct() -> None:
                    response = await direct.post(hrms.url, json={"query": CADRES})
                    response.raise_for_status()

                print(f"\nlatency, {n} requests each (microseconds)")
                print(f"{'call':48} {'p50':>10} {'p90':>10} {'vs base':>10}")
                base_direct = await timed(call_direct, n)
                via = await timed(lambda: ask(CADRES), n)
                print(row("hrmsCadres, direct to the subgraph", base_direct))
                print(row("hrmsCadres, through the gateway", via, statistics.median(base_direct)))
                local = await timed(lambda: ask("{ me { name } }", asha), n)
                hop = await timed(lambda: ask("{ me { name serviceRecord { cadre } } }", asha), n)
                print(row("me { name } (gateway only)", local))
                print(row("me { name serviceRecord { cadre } } (one hop)", hop, statistics.median(local)))
        finally:
            await gateway.stop()
            hrms.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(main(parser.parse_args().requests))
