"""A subgraph that is slow, down or answers badly: partial answers, the
circuit breaker, metrics, and answers that never reach the client unchecked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.testing import GatewayClient, error_codes
from plugins.subgraphs.standin.server import HrmsStandIn

ASHA = "learner:demo-asha"
QUERY = "{ me { name serviceRecord { cadre postings { organisation { name } } } } }"


async def ask(client: GatewayClient, query: str = QUERY) -> dict[str, Any]:
    return await client.graphql(query, as_learner=ASHA, expect_errors=True)


def assert_partial(body: dict[str, Any], code: str = "SUBGRAPH_UNAVAILABLE") -> None:
    assert body["data"]["me"] == {"name": "Asha Verma", "serviceRecord": None}
    assert error_codes(body) == [code]
    assert body["errors"][0]["path"] == ["me", "serviceRecord"]
    assert body["errors"][0]["extensions"]["subgraph"] == "hrms"


@pytest.mark.parametrize(
    "fault", ["http-500", "invalid-json", "errors-without-data", "wrong-types", "more-entities", "oversized"]
)
async def test_a_bad_answer_is_a_partial_answer(joined: Any, hrms: HrmsStandIn, fault: str) -> None:
    client = await joined(max_response_bytes=100_000)
    hrms.fault = fault
    body = await ask(client)
    assert_partial(body)
    assert "42" not in str(body) and "padding" not in str(body)


async def test_errors_without_data_are_reported_with_the_subgraph_message(
    joined: Any, hrms: HrmsStandIn
) -> None:
    client = await joined()
    hrms.fault = "errors-without-data"
    body = await ask(client)
    assert "HRMS database is down" in body["errors"][0]["message"]


async def test_fields_not_asked_for_are_dropped(joined: Any, hrms: HrmsStandIn) -> None:
    client = await joined()
    hrms.fault = "extra-fields"
    body = await client.graphql(QUERY, as_learner=ASHA)
    assert "salary" not in str(body)
    assert body["data"]["me"]["serviceRecord"]["cadre"] == "CSS"


async def test_an_unknown_representation_is_null_without_error(joined: Any, hrms: HrmsStandIn) -> None:
    client = await joined()
    body = await client.graphql("{ me { name serviceRecord { cadre } } }", as_learner="learner:demo-farah")
    assert body["data"]["me"] == {"name": "Farah Khan", "serviceRecord": None}
    assert "errors" not in body
    assert hrms.requests == 1


async def test_a_hanging_subgraph_times_out_and_the_worker_stays_responsive(
    joined: Any, hrms: HrmsStandIn
) -> None:
    client = await joined(read_timeout_seconds=0.5)
    hrms.fault = "hang"
    slow = asyncio.ensure_future(ask(client))
    await asyncio.sleep(0)
    quick = await client.graphql("{ me { name } }", as_learner=ASHA)
    assert quick["data"]["me"]["name"] == "Asha Verma"
    assert not slow.done()  # the other request was served while the subgraph hung
    assert_partial(await slow)


async def test_the_circuit_opens_and_requests_stop(joined: Any, hrms: HrmsStandIn) -> None:
    client = await joined(failure_threshold=2, circuit_reset_seconds=300)
    hrms.fault = "http-500"
    for _ in range(2):
        assert_partial(await ask(client))
    assert hrms.requests == 2
    hrms.fault = None
    body = await ask(client)
    assert_partial(body)
    assert "not asked" in body["errors"][0]["message"]
    assert hrms.requests == 2  # refused by the open circuit: nothing sent
    metrics = (await client.http.get("/metrics")).text
    assert 'provider="subgraph.hrms"' in metrics
    errors = [
        line
        for line in metrics.splitlines()
        if line.startswith("karmayogi_provider_errors_total") and "subgraph.hrms" in line
    ]
    kinds = " ".join(errors)
    assert "SubgraphHttpError" in kinds and "SubgraphCircuitOpen" in kinds


async def test_a_subgraph_error_passes_through_at_the_client_path(joined: Any, hrms: HrmsStandIn) -> None:
    client = await joined()
    body = await client.graphql(
        "{ me { record: serviceRecord { cadre days: leaveBalance } } }", as_learner=ASHA, expect_errors=True
    )
    assert body["data"]["me"]["record"] == {"cadre": "CSS", "days": None}
    (error,) = body["errors"]
    assert error["message"] == "the leave ledger is offline"
    assert error["path"] == ["me", "record", "days"]
    assert error["extensions"]["code"] == "SUBGRAPH_ERROR"
    assert error["extensions"]["subgraph"] == "hrms"


async def test_fan_out_over_the_limit_is_refused_before_anything_is_sent(
    joined: Any, hrms: HrmsStandIn
) -> None:
    # hrmsOfficers (wave 1) gives learners the gateway resolves; their
    # serviceRecord is a second hop (wave 2): two requests.
    query = '{ hrmsOfficers(cadre: "CSS") { name serviceRecord { cadre } } }'
    client = await joined(plugin_settings={"max_requests_per_operation": 1})
    body = await client.graphql(query, as_learner="learner:demo-vikram", expect_errors=True)
    assert error_codes(body) == ["OPERATION_LIMIT"]
    assert "2 requests" in body["errors"][0]["message"]
    assert body["_status"] == 400
    assert hrms.requests == 0


async def test_the_gateway_limits_count_remote_fields_before_anything_is_sent(
    joined: Any, hrms: HrmsStandIn
) -> None:
    client = await joined(gateway_settings={"limits": {"max_depth": 4}})
    body = await client.graphql(
        "{ me { serviceRecord { postings { organisation { name } } } } }", as_learner=ASHA, expect_errors=True
    )
    assert error_codes(body) == ["OPERATION_LIMIT"]
    assert hrms.requests == 0
