"""Which operations run compiled: the per-app plan cache and its counters."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import DirectiveNode, OperationType, VariableNode, visit
from graphql.language import Visitor

from gateway.execution.plan import Compiler, Plan, Unsupported
from gateway.execution.shared import SharedAnswers
from gateway.extensions import CACHEABLE_QUERY_CHARS
from schema.context import State, StateKey

if TYPE_CHECKING:
    from graphql import GraphQLError, Node

    from gateway.execution.executor import CompiledExecutor
    from gateway.settings import ExecutionSettings

log = logging.getLogger("gateway.execution")

BY_HASH: StateKey[bool] = StateKey("request.by_hash")
"""Whether the current operation was sent by its hash (``ctx.state``): it compiles at once."""

COMPILED = "compiled"
GRAPHQL_CORE = "graphql_core"
# Documents seen but not compiled (yet) are remembered up to this many; longer
# documents than the operation guard caches are never compiled.
MAX_SEEN = 1_000


class _DirectiveVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        if node.name.value in ("skip", "include"):
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    self.names.add(argument.value.name.value)


def directive_variables(nodes: list[Node]) -> tuple[str, ...]:
    """The variables ``@skip``/``@include`` read: a plan is compiled per their values."""
    visitor = _DirectiveVariables()
    for node in nodes:
        visit(node, visitor)
    return tuple(sorted(visitor.names))


class ExecutionState:
    """The compiled plans of one app, with what decides whether an operation compiles.

    An operation compiles on its ``compile_after``-th sighting (keyed by its
    document text and name), at once when it came as a persisted or trusted
    operation (``ctx.state["by_hash"]``). One it cannot compile is remembered
    and always runs on graphql-core.
    """

    def __init__(
        self,
        settings: ExecutionSettings,
        count: Callable[[str, str], None],
        format_error: Callable[[GraphQLError], dict[str, Any]],
    ) -> None:
        self.settings = settings
        self.count = count
        self.format_error = format_error  # as /graphql formats errors, for the differential check
        self.plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()
        self.seen: dict[tuple[str, str | None], int] = {}
        self.unsupported: dict[tuple[str, str | None], str] = {}
        self.directive_vars: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self.mismatches: list[str] = []
        self.shared = SharedAnswers()  # shared selections (gateway.execution.shared)

    def fallback(self, reason: str) -> None:
        self.count(GRAPHQL_CORE, reason)

    def lookup(self, ex: CompiledExecutor) -> Plan | None:
        """The plan to run for this executor's operation, or None for graphql-core."""
        operation = ex.operation
        if operation.operation != OperationType.QUERY:
            self.fallback(operation.operation.value)
            return None
        if ex.middleware_manager is not None and ex.middleware_manager.middlewares:
            self.fallback("middleware")
            return None
        if ex.abort_signal is not None or not ex.error_propagation or ex.enable_early_execution:
            self.fallback("unsupported")
            return None
        loc = operation.loc
        if loc is None or len(loc.source.body) > CACHEABLE_QUERY_CHARS:
            self.fallback("unsupported")
            return None
        base = (loc.source.body, operation.name.value if operation.name else None)
        if base in self.unsupported:
            self.fallback("unsupported")
            return None
        names = self.directive_vars.get(base)
        if names is None:
            if len(self.directive_vars) >= MAX_SEEN:
                self.directive_vars.clear()
            names = directive_variables([operation, *ex.fragment_definitions.values()])
            self.directive_vars[base] = names
        coerced = ex.variable_values.coerced
        key = (*base, *(coerced.get(name) for name in names)) if names else base
        plan = self.plans.get(key)
        if plan is not None:
            self.plans.move_to_end(key)
            self.count(COMPILED, "")
            return plan
        state = getattr(ex.context_value, "state", None)
        by_hash = False
        if isinstance(state, State):
            by_hash = state.get(BY_HASH, False)
        seen = self.seen.get(base, 0) + 1
        if seen < self.settings.compile_after and not by_hash:
            if len(self.seen) >= MAX_SEEN:
                self.seen.clear()
            self.seen[base] = seen
            self.fallback("warming")
            return None
        self.seen.pop(base, None)
        try:
            plan = Compiler(ex).compile()
        except Unsupported as exc:
            if len(self.unsupported) >= MAX_SEEN:
                self.unsupported.clear()
            self.unsupported[base] = str(exc)
            self.fallback("unsupported")
            return None
        except Exception:
            log.exception("the operation %s could not be compiled; graphql-core runs it", base[1] or "")
            self.unsupported[base] = "compile error"
            self.fallback("compile_error")
            return None
        self.plans[key] = plan
        while len(self.plans) > self.settings.plan_cache_size:
            self.plans.popitem(last=False)
        self.count(COMPILED, "")
        return plan
