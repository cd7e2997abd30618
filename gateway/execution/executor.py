"""The executor Strawberry hands every operation to: a compiled plan when there
is one, graphql-core's own executor otherwise.

It is a subclass of Strawberry's graphql-core executor, so everything around
execution stays as it is: the operation guard's parse, limits and validation,
variable coercion, ``process_errors``, extensions, the HTTP layer's error
formatting. Only ``execute_operation`` changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.execution.walk import Boundary, Walker
from gateway.execution.waves import drive
from schema.context import State, StateKey

if TYPE_CHECKING:
    from graphql import ExecutionResult, MiddlewareManager

    from gateway.execution.plan import Plan
    from gateway.execution.plans import ExecutionState

EXECUTION: StateKey[ExecutionState] = StateKey("execution.state")
"""The app's compiled-execution state (``gateway.state``)."""


def state_of(context: Any) -> ExecutionState | None:
    """The compiled-execution state of the app a request context belongs to."""
    return execution_state(getattr(context, "gateway", None))


def execution_state(gateway: Any) -> ExecutionState | None:
    """The compiled-execution state of ``gateway`` (None when compilation is off)."""
    state = getattr(gateway, "state", None)
    if not isinstance(state, State):
        return None
    return state.get(EXECUTION)


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """Runs a query's compiled plan, or falls back to graphql-core."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        state = state_of(self.context_value)
        if state is None or serially:
            return super().execute_operation(serially)
        plan = state.lookup(self)
        if plan is None:
            return super().execute_operation(serially)
        if state.settings.verify != "off":
            from gateway.execution.verify import verified

            return verified(self, plan, state)
        return self.run_plan(plan, Walker(self, state.shared))

    def reference(self, middleware: MiddlewareManager | None = None) -> Any:
        """graphql-core's answer for the same operation, on a fresh error list."""
        import copy

        from graphql.execution.executor import CollectedErrors
        from graphql.pyutils import RefMap

        twin = copy.copy(self)
        twin.collected_errors = CollectedErrors()
        twin._relevant_sub_fields = {}
        twin._stream_usages = RefMap()
        twin.middleware_manager = middleware
        return StrawberryGraphQLCoreExecutionContext.execute_operation(twin)

    def run_plan(self, plan: Plan, walker: Walker | None = None) -> Any:
        walker = walker or Walker(self)
        try:
            data = walker.fields(plan.root, self.root_value, None, Boundary(None, None, None))
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        if walker.wave:
            return self._finish(walker, data)
        return self.build_response(None if walker.root_nulled else data)

    async def _finish(self, walker: Walker, data: dict[str, Any]) -> ExecutionResult:
        await drive(walker)
        return self.build_response(None if walker.root_nulled else data)  # type: ignore[return-value]
