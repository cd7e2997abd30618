"""Before anything is sent: the fan-out limit; while resolving: counting the
gateway's own resolvers under way (so a wave of subgraph asks waits for its
stragglers, see :mod:`plugins.subgraphs.batcher`); after: the plan in development."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from plugins.subgraphs.plan import Plan, plan
from schema.errors import OperationLimit

if TYPE_CHECKING:
    from gateway.host import Gateway
    from plugins.subgraphs.settings import SubgraphsSettings


class SubgraphGuard(SchemaExtension):
    def __init__(self, gateway: Gateway, settings: SubgraphsSettings) -> None:
        super().__init__()
        self.gateway = gateway
        self.settings = settings
        self.plan: Plan | None = None

    def on_validate(self) -> Iterator[None]:
        from plugins.subgraphs.keys import RUNTIME

        context = self.execution_context
        runtime = self.gateway.state.get(RUNTIME)
        validated = context.pre_execution_errors is not None and not context.pre_execution_errors
        if runtime is not None and runtime.own.remotes and validated and context.graphql_document is not None:
            self.plan = plan(
                context.schema._schema, runtime.own, context.graphql_document, context.operation_name
            )
            maximum = self.settings.max_requests_per_operation
            if self.plan.request_count > maximum:
                message = (
                    f"The operation would send {self.plan.request_count} requests to subgraphs; "
                    f"at most {maximum} are allowed."
                )
                context.pre_execution_errors = [
                    GraphQLError(
                        message,
                        original_error=OperationLimit(message, limit="subgraphRequests", maximum=maximum),
                    )
                ]
        yield

    def resolve(self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        result = _next(root, info, *args, **kwargs)
        if not isawaitable(result) or self._waits_for_a_subgraph(info):
            return result
        from plugins.subgraphs.runtime import sent_of

        sent = sent_of(info.context)
        sent.busy += 1
        return _settled(result, sent)

    def _waits_for_a_subgraph(self, info: Any) -> bool:
        """A root or entity field a subgraph owns waits for the wave itself: not counted."""
        from plugins.subgraphs.keys import RUNTIME

        runtime = self.gateway.state.get(RUNTIME)
        if runtime is None:
            return False
        parent = info.parent_type.name
        own = runtime.own
        return (parent, info.field_name) in own.fields and (parent == "Query" or parent in own.local_entities)

    def get_results(self) -> dict[str, Any]:
        if (
            self.plan is None
            or not self.plan.requests
            or self.gateway.settings.is_production
            or not self.settings.plan_in_extensions
        ):
            return {}
        return {"subgraphPlan": self.plan.as_dict()}


async def _settled(result: Awaitable[Any], sent: Any) -> Any:
    try:
        return await result
    finally:
        sent.busy -= 1
