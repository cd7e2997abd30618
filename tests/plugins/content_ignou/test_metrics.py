"""IGNOU at /metrics: the catalogue's calls, IGNOU's own requests to its API,
its circuit breaker's state and its failures, each counted once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from gateway.provider_api.client import CircuitBreaker, CircuitState
from gateway.testing import GatewayClient, MakeGateway, error_codes
from plugins.content_ignou.provider import IgnouProvider
from plugins.content_ignou.standin.server import StandIn
from tests.security.test_observability import metrics_text, sample

# first: 0 asks IGNOU's search only (no course loads), one request per query with no cache.
COUNT = '{ courses(first: 0, filter: {providers: ["ignou"]}) { totalCount } }'
LIST = '{ courses(first: 3, search: "certificate") { edges { node { id title } } } }'


def calls(text: str, call: str) -> float | None:
    return sample(text, "karmayogi_provider_call_duration_seconds_count", provider="ignou", call=call)


def circuit(text: str) -> float | None:
    return sample(text, "karmayogi_provider_circuit_state", provider="ignou")


def errors(text: str) -> dict[str, float]:
    """IGNOU's error counts by kind."""
    found = {}
    for line in text.splitlines():
        if line.startswith("karmayogi_provider_errors_total{") and 'provider="ignou"' in line:
            labels, _, value = line.rpartition(" ")
            kind = labels.split('kind="', 1)[1].split('"', 1)[0]
            found[kind] = float(value)
    return found


async def test_a_query_reaching_ignou_shows_at_metrics(live: GatewayClient, standin: StandIn) -> None:
    before = standin.requests
    body = await live.graphql(LIST)
    assert any(e["node"]["id"].startswith("ignou:") for e in body["data"]["courses"]["edges"])
    assert standin.requests - before == 1
    text = await metrics_text(live)
    assert calls(text, "search") == 1  # the catalogue's call to the provider
    assert calls(text, "api.search") == 1  # IGNOU's request to its API, inside it
    assert calls(text, "courses_by_ids") == 1  # answered from what search fetched
    assert calls(text, "api.courses") is None
    assert circuit(text) == 0  # closed, reported from start-up
    assert errors(text) == {}


async def test_failures_open_the_circuit_and_are_counted_once(
    make_gateway: MakeGateway, ignou_settings: dict[str, Any], standin: StandIn
) -> None:
    settings = {**ignou_settings, "cache_ttl_seconds": 0, "failure_threshold": 2}
    client = await make_gateway(plugins={"content_ignou": settings})
    standin.fault = "http-500"
    before = standin.requests
    for expected_state in (0, 2):  # the second failure in a row opens it
        body = await client.graphql(COUNT, expect_errors=True)
        assert error_codes(body) == ["PROVIDER_UNAVAILABLE"]  # served from the snapshot, said so
        assert circuit(await metrics_text(client)) == expected_state
    await client.graphql(COUNT, expect_errors=True)  # refused by the open circuit, not sent
    assert standin.requests - before == 2
    text = await metrics_text(client)
    assert calls(text, "search") == 3 and calls(text, "api.search") == 2
    # Each failure once, by the request that saw it; the catalogue's stale answers add nothing.
    assert errors(text) == {"ApiHttpError": 2, "CircuitOpen": 1}
    standin.fault = None
    await asyncio.sleep(0.35)  # circuit_reset_seconds: the next call is the trial
    body = await client.graphql(COUNT)
    assert body["data"]["courses"]["totalCount"] == 12
    text = await metrics_text(client)
    assert circuit(text) == 0
    assert calls(text, "api.search") == 3
    assert errors(text) == {"ApiHttpError": 2, "CircuitOpen": 1}


def test_the_breaker_reports_every_transition() -> None:
    seen: list[CircuitState] = []
    breaker = CircuitBreaker(2, 0.05, on_change=seen.append)
    breaker.failure()
    assert breaker.allow() and seen == []
    breaker.failure()
    assert seen == ["open"] and breaker.open and not breaker.allow()
    time.sleep(0.06)
    assert breaker.allow()  # the trial
    assert seen == ["open", "half_open"] and breaker.state == "half_open"
    breaker.failure()  # the trial failed: open again at once
    assert seen[-1] == "open" and not breaker.allow()
    time.sleep(0.06)
    assert breaker.allow()
    breaker.success()
    assert seen == ["open", "half_open", "open", "half_open", "closed"]
    breaker.success()
    assert len(seen) == 5  # no transition, no report


async def test_a_sync_is_measured_with_its_requests(live: GatewayClient, standin: StandIn) -> None:
    provider = live.gateway.providers["ignou"]
    assert isinstance(provider, IgnouProvider)
    await provider.sync()
    text = await metrics_text(live)
    assert calls(text, "sync") == 1
    assert calls(text, "api.coursesUpdatedSince") == 1
    assert errors(text) == {}
    standin.fault = "graphql-error"
    with pytest.raises(RuntimeError, match="IGNOU sync failed"):
        await provider.sync()
    text = await metrics_text(live)
    assert calls(text, "sync") == 2
    assert errors(text) == {"ApiReportedError": 1}  # the request's failure, not the sync's again
