"""The dashboard through the compiled executor: the same answer as
graphql-core's, the same SQL statements, counted in /metrics."""

from __future__ import annotations

from bench.catalogue import SyntheticPlugin
from gateway.execution import execution_state
from gateway.testing import MakeGateway, SqlCounter
from tests.plugins.passbook.test_dashboard_counts import DASHBOARD, seed


def executions(text: str, executor: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("karmayogi_graphql_executions_total{") and f'executor="{executor}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_dashboard_compiles_with_the_same_answer_and_statements(
    make_gateway: MakeGateway, sql_counter: SqlCounter
) -> None:
    compiled = await make_gateway(
        extra_plugins=[("synthetic", SyntheticPlugin())], execution={"compile_after": 1, "verify": "rerun"}
    )
    await seed(compiled, "learner:demo-asha", 21, plan=True)
    await compiled.graphql(DASHBOARD, as_learner="learner:demo-asha")  # warm the process caches
    with sql_counter as counted:
        body = await compiled.graphql(DASHBOARD, as_learner="learner:demo-asha")
    state = execution_state(compiled.gateway)
    assert state is not None and not state.mismatches
    assert len(body["data"]["me"]["enrolments"]["edges"]) == 20

    core = await make_gateway(extra_plugins=[("synthetic", SyntheticPlugin())], execution={"compiled": False})
    assert execution_state(core.gateway) is None
    with sql_counter as reference:
        again = await core.graphql(DASHBOARD, as_learner="learner:demo-asha")
    with sql_counter as reference:
        again = await core.graphql(DASHBOARD, as_learner="learner:demo-asha")
    assert again["data"] == body["data"]
    assert counted.count == reference.count, (counted.statements, reference.statements)

    metrics = (await compiled.http.get("/metrics")).text
    assert executions(metrics, "compiled") == 2
    assert executions(metrics, "graphql_core") == 0
