"""SQL statements per request for each benchmark operation, in process.

``python -m bench.counts URL COURSES '{"learner": ..., "enrolment": [learner, enrolment, resource]}' [--naive]``
prints one JSON object: operation -> statements.
"""

from __future__ import annotations

import asyncio
import json
import sys

import httpx

from bench.catalogue import SyntheticPlugin
from bench.run import DASHBOARD, PROGRESS, SEARCH
from bench.serve import NAIVE_SETTINGS, make_naive
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing import SqlCounter, header_identity, install_sql_counter


async def main() -> None:
    url, courses, payload = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    naive = "--naive" in sys.argv
    if naive:
        make_naive()
    install_sql_counter()
    settings = load_settings(
        database_url=url,
        load_demo_data=False,
        auto_migrate=False,
        log_json=False,
        log_level="WARNING",
        **(NAIVE_SETTINGS if naive else {}),
    )
    app = create_app(
        settings, extra_plugins=[("bench_identity", header_identity), ("synthetic", SyntheticPlugin(courses))]
    )
    gateway = app.state.gateway
    await gateway.start()
    learner, enrolment, resource = payload["enrolment"]
    requests = {
        "dashboard": ({"query": DASHBOARD}, payload["learner"]),
        "search": ({"query": SEARCH, "variables": {"q": "Synthetic"}}, payload["learner"]),
        "recordProgress": (
            {"query": PROGRESS, "variables": {"e": enrolment, "r": resource, "p": 50}},
            learner,
        ),
    }
    counts = {}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            for op, (body, who) in requests.items():
                await http.post("/graphql", json=body, headers={"x-test-learner": who})  # warm caches
                with SqlCounter() as counter:
                    await http.post("/graphql", json=body, headers={"x-test-learner": who})
                counts[op] = counter.count
    finally:
        await gateway.stop()
    print(json.dumps(counts))


if __name__ == "__main__":
    asyncio.run(main())
