"""``execution.verify``: check every compiled query against graphql-core
(the guard against a compiler bug answering wrongly).

``replay`` (what the test fixtures turn on): the compiled run records what
each resolver it called returned or raised, and the arguments it passed, by
response path; graphql-core then executes the same operation with a
middleware that hands those outcomes back instead of calling the resolvers
again (and reports a field whose arguments differ). So graphql-core does its
own field collection, argument coercion, completion, serialisation, abstract
type resolution and null propagation on the same inputs, without reading the
database or calling a provider twice (no statement, metric or circuit breaker
sees the check). Fields the compiled run did not call are resolved for real.

``rerun``: graphql-core executes the operation again from scratch with its
own DataLoaders (this also checks how resolvers are called: root, ``info``,
converted arguments), at the price of running every resolver twice; its
statements are marked (:data:`VERIFYING`) so the tests' SQL counter leaves
them out.

A difference is logged as an error, kept in ``ExecutionState.mismatches``
(the test fixtures fail the test on any) and graphql-core's answer is served.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
from typing import TYPE_CHECKING, Any

import orjson
from graphql import MiddlewareManager

from gateway.execution.walk import Walker

if TYPE_CHECKING:
    from graphql import ExecutionResult, GraphQLError, GraphQLResolveInfo
    from graphql.pyutils import Path

    from gateway.execution.executor import CompiledExecutor
    from gateway.execution.plan import FieldPlan, Plan
    from gateway.execution.plans import ExecutionState
    from gateway.execution.shared import SharedAnswers
    from gateway.execution.walk import Pending

log = logging.getLogger("gateway.execution")

VERIFYING: contextvars.ContextVar[bool] = contextvars.ContextVar("karmayogi_verifying", default=False)
_RAISED = object()

Record = dict[tuple[str | int, ...], tuple[dict[str, Any] | None, Any, Any]]


class RecordingWalker(Walker):
    """A walker that keeps each resolver call's arguments and outcome by path,
    and what each awaitable list item came to (graphql-core cannot await a
    coroutine a second time)."""

    __slots__ = ("items", "record")
    inline_calls = False  # every resolver call goes through call(), which records it

    def __init__(
        self,
        executor: CompiledExecutor,
        record: Record,
        items: dict[tuple[Any, ...], Any],
        shared: SharedAnswers | None = None,
    ) -> None:
        super().__init__(executor, shared)
        self.record = record
        self.items = items

    def settle(self, entry: Pending) -> None:
        if isinstance(entry.key, int):
            self.items[tuple(entry.path.as_list())] = entry.value
        super().settle(entry)

    def call(self, f: FieldPlan, source: Any, fpath: Path) -> Any:
        key = tuple(fpath.as_list())
        try:
            args: dict[str, Any] | None = self.raw_arguments(f)
        except Exception:  # the call below raises it again, for real
            args = None
        try:
            value = super().call(f, source, fpath)
        except Exception as exc:
            self.record[key] = (args, _RAISED, exc)
            raise
        if self.is_awaitable(value):
            return self._recorded(key, args, value)
        self.record[key] = (args, value, None)
        return value

    async def _recorded(self, key: tuple[str | int, ...], args: dict[str, Any] | None, value: Any) -> Any:
        try:
            resolved = await value
        except Exception as exc:
            self.record[key] = (args, _RAISED, exc)
            raise
        self.record[key] = (args, resolved, None)
        return resolved


class Replay:
    """graphql-core middleware answering recorded fields from the record."""

    def __init__(self, record: Record, items: dict[tuple[Any, ...], Any]) -> None:
        self.record = record
        self.items = items
        self.problems: list[str] = []

    def settled(self, key: tuple[str | int, ...], value: Any) -> Any:
        """A recorded list whose awaitable items are replaced by what they came to."""
        if not isinstance(value, list | tuple) or not any(inspect.isawaitable(v) for v in value):
            return value
        missing = object()
        out = []
        for index, item in enumerate(value):
            settled = self.items.get((*key, index), missing) if inspect.isawaitable(item) else item
            out.append(item if settled is missing else settled)
        return out

    def resolve(self, next_: Any, root: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        key = tuple(info.path.as_list())
        found = self.record.get(key)
        if found is None:
            return next_(root, info, **args)
        recorded_args, value, error = found
        if recorded_args is not None and recorded_args != args:
            self.problems.append(f"arguments at {list(key)}: compiled {recorded_args!r} != {args!r}")
        if value is _RAISED:
            raise error
        return self.settled(key, value)


def _errors(errors: list[GraphQLError], state: ExecutionState) -> list[bytes]:
    return sorted(orjson.dumps(state.format_error(e)) for e in errors)


def differences(
    compiled: ExecutionResult,
    reference: ExecutionResult,
    compiled_extra: list[GraphQLError],
    reference_extra: list[GraphQLError],
    state: ExecutionState,
) -> list[str]:
    """What differs between two answers: data (key order too) and formatted errors.

    Errors are compared as a set: both executors report them in the order
    concurrent resolvers fail, which the spec leaves open.
    """
    problems = []
    ours = orjson.dumps(compiled.data)
    theirs = orjson.dumps(reference.data)
    if ours != theirs:
        problems.append(f"data: compiled {ours[:3000]!r} != graphql-core {theirs[:3000]!r}")
    ours_e = _errors(list(compiled.errors or []) + compiled_extra, state)
    theirs_e = _errors(list(reference.errors or []) + reference_extra, state)
    if ours_e != theirs_e:
        problems.append(f"errors: compiled {ours_e!r} != graphql-core {theirs_e!r}")
    return problems


async def verified(ex: CompiledExecutor, plan: Plan, state: ExecutionState) -> ExecutionResult:
    ctx = ex.context_value
    extra: list[Any] = ctx.extra_errors
    start = len(extra)
    rerun = state.settings.verify == "rerun"
    record: Record = {}
    items: dict[tuple[Any, ...], Any] = {}
    # Shared selections are on in both modes: what the compiled run took from
    # them, graphql-core resolves for real, so the comparison covers them too.
    walker = Walker(ex, state.shared) if rerun else RecordingWalker(ex, record, items, state.shared)
    compiled = ex.run_plan(plan, walker)
    if ex.is_awaitable(compiled):
        compiled = await compiled
    compiled_extra = extra[start:]
    del extra[start:]
    replay = None if rerun else Replay(record, items)
    loaders = ctx._loaders
    if rerun:
        ctx._loaders = {}
    token = VERIFYING.set(True)
    try:
        reference = ex.reference(MiddlewareManager(replay) if replay is not None else None)
        if ex.is_awaitable(reference):
            reference = await reference
    finally:
        VERIFYING.reset(token)
        ctx._loaders = loaders
    reference_extra = extra[start:]
    del extra[start:]
    if not rerun:
        reference_extra = compiled_extra  # the resolvers that add them ran once
    problems = differences(compiled, reference, compiled_extra, reference_extra, state)
    if replay is not None:
        problems.extend(replay.problems)
    if not problems:
        extra.extend(compiled_extra)
        return compiled  # type: ignore[no-any-return]
    name = ex.operation.name.value if ex.operation.name else "anonymous"
    report = f"compiled execution differs from graphql-core for operation {name}: " + "; ".join(problems)
    state.mismatches.append(report)
    log.error("%s", report)
    extra.extend(reference_extra)
    return reference  # type: ignore[no-any-return]
