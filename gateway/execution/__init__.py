"""Compiled execution of query operations (docs/execution.md).

A query seen ``execution.compile_after`` times (at once when it came as a
persisted or trusted operation) is compiled against the composed schema into
a plan (:mod:`gateway.execution.plan`) that the walker
(:mod:`gateway.execution.walk`) resolves and serialises without graphql-core's
per-field machinery. Plugin resolvers and DataLoaders are called as Strawberry
would call them. Mutations, subscriptions and whatever the compiler does not
support run on graphql-core; both paths are counted in
``karmayogi_graphql_executions_total``. ``execution.verify`` runs every
compiled query through graphql-core too and reports any difference
(:mod:`gateway.execution.verify`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.execution.executor import STATE_KEY, CompiledExecutor, execution_state, state_of
from gateway.execution.plans import ExecutionState

if TYPE_CHECKING:
    from gateway.host import Gateway

__all__ = ["CompiledExecutor", "ExecutionState", "execution_state", "install", "state_of"]


def install(gateway: Gateway) -> ExecutionState | None:
    """Run the gateway's queries compiled (unless ``execution.compiled`` is off)."""
    settings = gateway.settings.execution
    if not settings.compiled:
        return None
    existing = gateway.state.get(STATE_KEY)
    if isinstance(existing, ExecutionState):
        return existing

    def count(executor: str, reason: str) -> None:
        from gateway.security.services import services_of

        services_of(gateway).metrics.count_execution(executor, reason)

    state = ExecutionState(settings, count)
    gateway.state[STATE_KEY] = state
    gateway.schema.execution_context_class = CompiledExecutor
    return state
