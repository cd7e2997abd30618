"""Rate limits per principal and per client address (Redis or in-process),
and the CORS allow-list."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.testing import GatewayClient, error_codes
from tests.security.probe import Calls

QUERY = {"query": "{ probe { name } }"}


def limits(**values: Any) -> dict[str, Any]:
    return {"rate_limits": {"enabled": True, **values}}


async def spend(client: GatewayClient, n: int, headers: dict[str, str] | None = None) -> list[int]:
    statuses = []
    for _ in range(n):
        response = await client.http.post("/graphql", json=QUERY, headers=headers or {})
        statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize("store", ["process", "redis"])
async def test_a_principal_over_its_rate_is_refused_with_retry_after(
    make_probe_gateway: Any, calls: Calls, store: str, request: pytest.FixtureRequest
) -> None:
    overrides: dict[str, Any] = limits(per_principal_per_minute=60, principal_burst=3)
    if store == "redis":
        overrides["redis_url"] = request.getfixturevalue("redis_url")
        overrides["redis_prefix"] = request.getfixturevalue("redis_prefix")
    client = await make_probe_gateway(load_demo_data=True, **overrides)
    asha = {"x-test-learner": "learner:demo-asha"}
    assert await spend(client, 3, asha) == [200, 200, 200]
    response = await client.http.post("/graphql", json=QUERY, headers=asha)
    assert response.status_code == 429
    assert error_codes(response.json()) == ["RATE_LIMITED"]
    assert response.headers["retry-after"] == "1"  # one token a second
    assert calls.count == 3
    # Another learner has a bucket of their own.
    vikram = {"x-test-learner": "learner:demo-vikram"}
    assert await spend(client, 1, vikram) == [200]


async def test_a_client_address_over_its_rate_is_refused(make_probe_gateway: Any, calls: Calls) -> None:
    client = await make_probe_gateway(**limits(per_address_per_minute=6, address_burst=2))
    assert await spend(client, 3) == [200, 200, 429]
    response = await client.http.post("/graphql", json=QUERY)
    assert int(response.headers["retry-after"]) == 10  # 6 a minute: one every 10 s
    assert calls.count == 2


async def test_a_batch_spends_one_token_per_operation(make_probe_gateway: Any, calls: Calls) -> None:
    client = await make_probe_gateway(
        load_demo_data=True,
        limits={"batching": True},
        **limits(per_principal_per_minute=60, principal_burst=4),
    )
    asha = {"x-test-learner": "learner:demo-asha"}
    batch = [QUERY] * 3
    first = await client.http.post("/graphql", json=batch, headers=asha)
    assert first.status_code == 200
    second = await client.http.post("/graphql", json=batch, headers=asha)
    assert second.status_code == 429
    assert calls.count == 3


async def test_rate_limits_are_off_in_development_unless_enabled(
    probe_client: GatewayClient, calls: Calls
) -> None:
    assert probe_client.gateway.settings.rate_limits_enabled is False
    assert set(await spend(probe_client, 30)) == {200}


async def test_redis_buckets_are_shared_between_gateways(
    make_probe_gateway: Any, redis_url: str, redis_prefix: str
) -> None:
    overrides = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    one = await make_probe_gateway(**overrides, **limits(per_address_per_minute=6, address_burst=2))
    two = await make_probe_gateway(**overrides, **limits(per_address_per_minute=6, address_burst=2))
    assert await spend(one, 2) == [200, 200]
    assert await spend(two, 1) == [429]


async def test_cors_allows_listed_origins_only(make_probe_gateway: Any) -> None:
    client = await make_probe_gateway(cors_allow_origins=["https://igot.example.gov.in"])
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
    }
    ok = await client.http.options("/graphql", headers={"origin": "https://igot.example.gov.in", **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://igot.example.gov.in"
    assert ok.headers["access-control-allow-credentials"] == "true"
    evil = await client.http.options("/graphql", headers={"origin": "https://evil.example", **preflight})
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers
    simple = await client.http.post("/graphql", json=QUERY, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_production_refuses_a_wildcard_origin(make_gateway: Any) -> None:
    from schema.errors import StartupError

    with pytest.raises(StartupError, match="cors_allow_origins"):
        await make_gateway(
            environment="production",
            secret_key="k" * 40,
            load_demo_data=False,
            cors_allow_origins=["*"],
        )
