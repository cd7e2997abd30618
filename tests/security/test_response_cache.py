"""The opt-in response cache for anonymous catalogue queries."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.security.services import catalogue_changed
from gateway.testing import GatewayClient, SqlCounter

COURSES = "query Browse($n: Int) { courses(first: $n) { totalCount edges { node { id title } } } }"


async def ask(client: GatewayClient, query: str = COURSES, **headers: str) -> tuple[str | None, Any]:
    response = await client.http.post(
        "/graphql", json={"query": query, "variables": {"n": 3}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.headers.get("x-karmayogi-cache"), response.json()


@pytest.mark.parametrize("store", ["process", "redis"])
async def test_anonymous_catalogue_answers_are_cached_until_the_catalogue_changes(
    make_gateway: Any, sql_counter: SqlCounter, store: str, request: pytest.FixtureRequest
) -> None:
    overrides: dict[str, Any] = {"response_cache": {"enabled": True}}
    if store == "redis":
        overrides["redis_url"] = request.getfixturevalue("redis_url")
        overrides["redis_prefix"] = request.getfixturevalue("redis_prefix")
    client = await make_gateway(**overrides)
    state, first = await ask(client)
    assert state == "miss"
    assert first["data"]["courses"]["edges"]
    with sql_counter as counter:
        state, second = await ask(client)
    assert state == "hit"
    assert second == first
    assert counter.count == 0
    # Other variables are another entry.
    other = await client.http.post("/graphql", json={"query": COURSES, "variables": {"n": 1}})
    assert other.headers["x-karmayogi-cache"] == "miss"
    # A sync moves the catalogue version on: the old answers are not used.
    await catalogue_changed(client.gateway)
    state, _ = await ask(client)
    assert state == "miss"
    if store == "redis":  # another worker shares the entries and the version
        again = await make_gateway(**{**overrides, "load_demo_data": False})
        state, third = await ask(again)
        assert state == "hit" and third == first


async def test_signed_in_and_non_catalogue_queries_are_not_cached(make_gateway: Any) -> None:
    client = await make_gateway(response_cache={"enabled": True})
    for _ in range(2):
        state, _ = await ask(client, **{"x-test-learner": "learner:demo-asha"})
        assert state is None
    mixed = "query($n: Int) { courses(first: $n) { totalCount } competencies { id } }"
    for _ in range(2):
        state, _ = await ask(client, mixed)
        assert state is None


async def test_the_cache_is_off_unless_enabled(client: GatewayClient) -> None:
    for _ in range(2):
        state, _ = await ask(client)
        assert state is None
