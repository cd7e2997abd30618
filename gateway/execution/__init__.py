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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gateway.execution.executor import EXECUTION, CompiledExecutor, execution_state, state_of
from gateway.execution.plans import BY_HASH, ExecutionState

if TYPE_CHECKING:
    from graphql import GraphQLError

    from gateway.host import Gateway

__all__ = ["BY_HASH", "CompiledExecutor", "ExecutionState", "execution_state", "install", "state_of"]


def install(
    gateway: Gateway, format_error: Callable[[GraphQLError], dict[str, Any]]
) -> ExecutionState | None:
    """Run the gateway's queries compiled (unless ``execution.compiled`` is off);
    ``format_error`` formats an error as the client sees it (for ``execution.verify``)."""
    settings = gateway.settings.execution
    if not settings.compiled:
        return None
    existing = gateway.state.get(EXECUTION)
    if existing is not None:
        return existing

    def count(executor: str, reason: str) -> None:
        from gateway.security.services import services_of

        services_of(gateway).metrics.count_execution(executor, reason)

    state = ExecutionState(settings, count, format_error)
    gateway.state[EXECUTION] = state
    gateway.schema.execution_context_class = CompiledExecutor
    return state
