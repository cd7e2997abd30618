"""No cached answer is older than a write that has answered: in one process
(SQLite, or PostgreSQL on that pass of the suite), and across a restart with
another state-module switch sharing Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import hookimpl
from gateway.live_server import live_gateway
from gateway.security.services import catalogue_changed
from gateway.testing import GatewayClient, MakeGateway
from schema.plan_rules import PlanRule
from tests.gateway.never_stale import DASHBOARD, Scenario, changed_feed, edges
from tests.security.probe import redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures


def poster(client: GatewayClient) -> Any:
    async def post(side: str, query: str, variables: dict[str, Any] | None, who: str) -> dict[str, Any]:
        response = await client.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"x-test-learner": who}
        )
        body: dict[str, Any] = response.json()
        return body

    return post


async def test_reads_after_writes_in_one_process_are_never_stale(
    make_gateway: MakeGateway, tmp_path: Path
) -> None:
    client = await make_gateway()
    scenario = Scenario(poster(client))

    async def sync() -> None:  # what `karmayogi catalogue sync istm FILE` does
        await client.gateway.providers["istm"].sync(str(changed_feed(tmp_path)))  # type: ignore[attr-defined]
        await catalogue_changed(client.gateway)

    reader = asyncio.create_task(scenario.background())
    try:
        await scenario.run_writes(sync)
    finally:
        scenario.stop.set()
        await reader
    scenario.verify()
    metrics = (await client.http.get("/metrics")).text
    hits = [line for line in metrics.splitlines() if 'cache="answers",result="hit"' in line]
    assert hits and float(hits[0].split()[-1]) > 0, "the background reads never hit the cache"


class Governance:
    """A state module whose plan rule puts a course on Haryana learners' plans."""

    @hookimpl
    def register_state_module(self) -> bool:
        return True

    @hookimpl
    def register_plan_rules(self) -> list[PlanRule]:
        due = dt.date.today() + dt.timedelta(days=60)
        return [
            PlanRule(id="governance", course_id="istm:rti-act", due_date=due, organisation_id="org:haryana")
        ]


PLAN = "query Plan { me { id plan { course { id } } } }"
MANOJ = "learner:demo-manoj"  # in Haryana


@pytest.mark.parametrize("switch", ["on", "off"])
async def test_a_restart_with_another_state_module_switch_gives_fresh_answers(
    make_gateway: MakeGateway, redis_url: str, redis_prefix: str, switch: str
) -> None:
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    modules = {"org:haryana": ["governance"]}
    first_modules, then_modules = (modules, {}) if switch == "off" else ({}, modules)
    plugin = [("governance", Governance())]
    before = await make_gateway(extra_plugins=plugin, state_modules=first_modules, **shared)
    twin = await make_gateway(
        extra_plugins=plugin, state_modules=first_modules, load_demo_data=False, **shared
    )
    for expected in ("miss", "miss", "hit"):  # first sight, kept, found
        response = await before.http.post("/graphql", json={"query": PLAN}, headers={"x-test-learner": MANOJ})
        assert response.headers["x-karmayogi-answer"] == expected
    planned = [p["course"]["id"] for p in response.json()["data"]["me"]["plan"]]
    assert ("istm:rti-act" in planned) == (switch == "off")
    # Another worker with the first settings shares the first answer through
    # Redis (after its own first sight of the operation).
    states = []
    for _ in range(2):
        response = await twin.http.post("/graphql", json={"query": PLAN}, headers={"x-test-learner": MANOJ})
        states.append(response.headers["x-karmayogi-answer"])
    assert states == ["miss", "hit"]
    planned = [p["course"]["id"] for p in response.json()["data"]["me"]["plan"]]
    assert ("istm:rti-act" in planned) == (switch == "off")
    # "Restarted" with the other switch: same database, same Redis entries.
    after = await make_gateway(
        extra_plugins=plugin, state_modules=then_modules, load_demo_data=False, **shared
    )
    response = await after.http.post("/graphql", json={"query": PLAN}, headers={"x-test-learner": MANOJ})
    assert response.headers["x-karmayogi-answer"] == "miss"
    planned = [p["course"]["id"] for p in response.json()["data"]["me"]["plan"]]
    assert ("istm:rti-act" in planned) == (switch == "on")


EMAILS = {
    "learner:demo-asha": "asha.verma@dopt.gov.in",
    "learner:demo-vikram": "vikram.singh@dopt.gov.in",
    "learner:demo-admin": "spv.admin@karmayogi.gov.in",
}


def karmayogi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


async def test_two_servers_writes_on_one_reads_on_the_other_never_stale(
    database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    env = {
        "KARMAYOGI_DATABASE_URL": database_url,
        "KARMAYOGI_REDIS_URL": redis_url,
        "KARMAYOGI_REDIS_PREFIX": redis_prefix,
        "KARMAYOGI_RATE_LIMITS__ENABLED": "false",
        "KARMAYOGI_LOG_JSON": "false",
        "KARMAYOGI_LOG_LEVEL": "WARNING",
    }
    with live_gateway(env, log_path=str(tmp_path / "writer.log")) as writer:
        tokens = {
            who: await asyncio.to_thread(karmayogi, env, "token", email) for who, email in EMAILS.items()
        }
        with live_gateway(env, log_path=str(tmp_path / "reader.log")) as reader:
            urls = {"write": writer.url, "read": reader.url}
            async with httpx.AsyncClient(timeout=30) as http:

                async def post(side: str, query: str, variables: Any, who: str) -> dict[str, Any]:
                    response = await http.post(
                        f"{urls[side]}/graphql",
                        json={"query": query, "variables": variables},
                        headers={"authorization": f"Bearer {tokens[who]}"},
                    )
                    body: dict[str, Any] = response.json()
                    return body

                async def sync() -> None:  # another process, as an operator runs it
                    feed = str(changed_feed(tmp_path))
                    await asyncio.to_thread(karmayogi, env, "catalogue", "sync", "istm", feed)

                scenario = Scenario(post)
                background = asyncio.create_task(scenario.background())
                try:
                    await scenario.run_writes(sync)
                finally:
                    scenario.stop.set()
                    await background
                scenario.verify()
                hits = await http.get(f"{reader.url}/metrics")
                assert 'karmayogi_cache_lookups_total{cache="answers",result="hit"}' in hits.text
        # A restart with other settings: the certificate links follow the new public URL.
        other = {**env, "KARMAYOGI_PUBLIC_URL": "https://learn.example.gov.in"}
        token = await asyncio.to_thread(karmayogi, other, "token", EMAILS["learner:demo-asha"])
        with live_gateway(other, log_path=str(tmp_path / "restarted.log")) as restarted:
            async with httpx.AsyncClient(timeout=30) as http:
                response = await http.post(
                    f"{restarted.url}/graphql",
                    json={"query": DASHBOARD},
                    headers={"authorization": f"Bearer {token}"},
                )
        assert response.headers.get("x-karmayogi-answer") == "miss", response.text
        links = [
            n["certificate"]["verifyUrl"] for n in edges(response.json()) if n["certificate"] is not None
        ]
        assert links and all(link.startswith("https://learn.example.gov.in/") for link in links), links
