"""When an operation compiles, and what /metrics says about it."""

from __future__ import annotations

import hashlib
from typing import Any

from gateway.testing import GatewayClient, MakeGateway

QUERY = 'query Orgs { organisations(search: "Personnel") { id name } }'


def executions(text: str) -> dict[tuple[str, str], float]:
    found = {}
    for line in text.splitlines():
        if line.startswith("karmayogi_graphql_executions_total{"):
            labels, _, value = line.rpartition(" ")
            executor = labels.split('executor="', 1)[1].split('"', 1)[0]
            reason = labels.split('reason="', 1)[1].split('"', 1)[0]
            found[(executor, reason)] = float(value)
    return found


async def counted(client: GatewayClient) -> dict[tuple[str, str], float]:
    return executions((await client.http.get("/metrics")).text)


async def test_a_query_compiles_on_its_second_sighting(make_gateway: MakeGateway) -> None:
    # Executions are counted: the answer cache would answer the third.
    client = await make_gateway(
        execution={"compile_after": 2, "verify": "replay"}, answer_cache={"enabled": False}
    )
    first = await client.graphql(QUERY)
    assert await counted(client) == {("graphql_core", "warming"): 1.0}
    second = await client.graphql(QUERY)
    third = await client.graphql(QUERY)
    assert first == second == third
    assert await counted(client) == {("graphql_core", "warming"): 1.0, ("compiled", ""): 2.0}


async def test_a_persisted_query_compiles_at_once(make_gateway: MakeGateway) -> None:
    client = await make_gateway(execution={"compile_after": 5, "verify": "replay"})
    digest = hashlib.sha256(QUERY.encode()).hexdigest()
    persisted: dict[str, Any] = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = await client.http.post("/graphql", json={"query": QUERY, "extensions": persisted})
    assert registered.status_code == 200
    assert await counted(client) == {("graphql_core", "warming"): 1.0}
    by_hash = await client.http.post("/graphql", json={"extensions": persisted})
    assert by_hash.json() == registered.json()
    assert await counted(client) == {("graphql_core", "warming"): 1.0, ("compiled", ""): 1.0}


async def test_compilation_can_be_turned_off(make_gateway: MakeGateway) -> None:
    client = await make_gateway(execution={"compiled": False})
    for _ in range(3):
        await client.graphql(QUERY)
    assert await counted(client) == {}
    assert client.gateway.schema.execution_context_class.__name__ != "CompiledExecutor"


async def test_mutations_are_counted_as_graphql_core(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    body = await client.graphql(
        'mutation { enrol(courseId: "istm:office-procedure") { id } }',
        as_learner="learner:demo-asha",
        expect_errors=True,
    )
    assert body["_status"] == 200
    assert await counted(client) == {("graphql_core", "mutation"): 1.0}
