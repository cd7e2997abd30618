"""Running a compiled plan: resolve, complete and serialise in one walk.

The walk follows graphql-core's rules step for step (the differential test
holds it to them): a field error is located at the field's path and nulls
the nearest nullable ancestor; a non-null field that comes back null is the
error "Cannot return null for non-nullable field T.f."; errors under a
position already nulled are dropped (graphql-core's ``CollectedErrors``).
What it leaves out is graphql-core's per-field machinery: no resolve info
unless a resolver asks for it, no argument coercion for fields without
arguments, a plain ``getattr`` for Strawberry fields without a resolver,
precomputed serialisers for scalars. Awaitables of one selection and of one
list are gathered together, so DataLoader loads batch as they do under
graphql-core.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, located_error
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable
from strawberry.types.arguments import convert_arguments

from gateway.execution.plan import (
    ABSTRACT,
    ATTR,
    GENERIC,
    LEAF,
    LIST,
    NON_NULL,
    OBJECT,
    TYPENAME,
    FieldPlan,
    ObjectPlan,
    TypePlan,
    fast_leaf,
)

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo

    from gateway.execution.executor import CompiledExecutor


class Walker:
    """One execution of a plan; errors go to the executor's collected errors."""

    __slots__ = ("add_error", "ex", "is_awaitable", "propagate", "strawberry")

    def __init__(self, executor: CompiledExecutor) -> None:
        self.ex = executor
        self.is_awaitable = executor.is_awaitable
        self.add_error = executor.collected_errors.add
        self.propagate = executor.error_propagation
        self.strawberry = executor.schema._strawberry_schema  # type: ignore[attr-defined]

    # -- selections ---------------------------------------------------------

    def fields(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """The selection's response dict, or an awaitable of it."""
        result: dict[str, Any] = {}
        pending: list[Awaitable[Any]] | None = None
        pending_keys: list[str] = []
        is_awaitable = self.is_awaitable
        for f in plan.fields:
            kind = f.kind
            if kind == TYPENAME:
                result[f.key] = f.parent_name
                continue
            t: TypePlan = f.type  # type: ignore[assignment]
            fpath = Path(path, f.key, f.parent_name) if (t.needs_path or kind != ATTR) else None
            try:
                if kind == ATTR:
                    default = f.default_resolver
                    value = getattr(source, f.attr) if default is None else default(source, f.attr)
                else:
                    value = self.call(f, source, fpath)  # type: ignore[arg-type]
                if is_awaitable(value):
                    if pending is None:
                        pending = []
                    pending.append(self.await_field(f, t, value, fpath or Path(path, f.key, f.parent_name)))
                    pending_keys.append(f.key)
                    result[f.key] = None
                    continue
                if t.kind == LEAF or (t.kind == NON_NULL and t.of.kind == LEAF):  # type: ignore[union-attr]
                    leaf = t if t.kind == LEAF else t.of
                    if value is not None and fast_leaf(leaf, value):  # type: ignore[arg-type]
                        result[f.key] = value
                        continue
                completed = self.complete(t, f, value, fpath)
                if is_awaitable(completed):
                    if pending is None:
                        pending = []
                    pending.append(
                        self.await_completed(f, t, completed, fpath or Path(path, f.key, f.parent_name))
                    )
                    pending_keys.append(f.key)
                    result[f.key] = None
                    continue
                result[f.key] = completed
            except Exception as raw:
                try:
                    result[f.key] = self.field_error(raw, t, f, fpath or Path(path, f.key, f.parent_name))
                except GraphQLError:
                    if pending:
                        self.ex.settle_in_background(pending)  # as graphql-core does
                    raise
        if pending is None:
            return result
        return self._gather_fields(result, pending_keys, pending)

    async def _gather_fields(
        self, result: dict[str, Any], keys: list[str], pending: list[Awaitable[Any]]
    ) -> dict[str, Any]:
        if len(pending) == 1:
            result[keys[0]] = await pending[0]
        else:
            values = await gather_with_cancel(*pending)
            for key, value in zip(keys, values, strict=True):
                result[key] = value
        return result

    async def await_field(self, f: FieldPlan, t: TypePlan, value: Any, fpath: Path) -> Any:
        try:
            resolved = await value
            completed = self.complete(t, f, resolved, fpath)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw:
            return self.field_error(raw, t, f, fpath)
        return completed

    async def await_completed(self, f: FieldPlan, t: TypePlan, completed: Any, fpath: Path) -> Any:
        try:
            return await completed
        except Exception as raw:
            return self.field_error(raw, t, f, fpath)

    def field_error(self, raw: Exception, t: TypePlan, f: FieldPlan, path: Path) -> Any:
        error = located_error(raw, f.nodes, path.as_list())
        if self.propagate and t.kind == NON_NULL:
            raise error
        self.add_error(error, path)
        return None

    # -- resolving ----------------------------------------------------------

    def info(self, f: FieldPlan, fpath: Path) -> GraphQLResolveInfo[Any]:
        return self.ex.build_resolve_info(f.field_def, f.nodes, f.parent_type, fpath)  # type: ignore[arg-type]

    def raw_arguments(self, f: FieldPlan) -> dict[str, Any]:
        if not f.uses_args:
            return {}
        return get_argument_values(
            f.field_def,  # type: ignore[arg-type]
            f.nodes[0],
            self.ex.variable_values,
            None,
            self.ex.hide_suggestions,
        )

    def call(self, f: FieldPlan, source: Any, fpath: Path) -> Any:
        if f.kind == GENERIC:
            return f.resolve(source, self.info(f, fpath), **self.raw_arguments(f))  # type: ignore[misc]
        sinfo = None
        if f.info_name is not None or f.uses_args:
            schema = self.strawberry
            sinfo = schema.config.info_class(_raw_info=self.info(f, fpath), _field=f.strawberry_field)
        kwargs: dict[str, Any] = {}
        if f.uses_args:
            schema = self.strawberry
            kwargs = convert_arguments(
                self.raw_arguments(f),
                f.arguments,
                scalar_registry=schema.schema_converter.scalar_registry,
                config=schema.config,
                info=sinfo,
            )
        if f.parent_kw is not None:
            kwargs[f.parent_kw] = source
        if f.root_kw is not None:
            kwargs[f.root_kw] = source
        if f.info_name is not None:
            kwargs[f.info_name] = sinfo
        if f.pass_self:
            return f.fn(source, **kwargs)  # type: ignore[misc]
        return f.fn(**kwargs)  # type: ignore[misc]

    # -- completing ---------------------------------------------------------

    def complete(self, t: TypePlan, f: FieldPlan, value: Any, path: Path | None) -> Any:
        """Complete ``value`` as type ``t`` (``path`` may be None only for leaves)."""
        if isinstance(value, Exception):
            raise value
        kind = t.kind
        if kind == NON_NULL:
            inner: TypePlan = t.of  # type: ignore[assignment]
            if inner.needs_path:  # an object or a list: completes to a dict or a list, never null
                if value is None or value is Undefined:
                    raise TypeError(f"Cannot return null for non-nullable field {f.parent_name}.{f.name}.")
                return self.complete(inner, f, value, path)
            completed = self.complete(inner, f, value, path)
            if self.is_awaitable(completed):
                return self._non_null_async(f, completed)
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {f.parent_name}.{f.name}.")
            return completed
        if value is None or value is Undefined:
            return None
        if kind == LEAF:
            if fast_leaf(t, value):
                return value
            coerced = t.serialize(value)  # type: ignore[misc]
            if coerced is Undefined or coerced is None:
                raise TypeError(
                    f"Expected `{inspect(t.gql)}.coerce_output_value({inspect(value)})`"
                    f" to return non-nullable value, returned: {inspect(coerced)}"
                )
            return coerced
        if kind == LIST:
            return self.complete_list(t, f, value, path)  # type: ignore[arg-type]
        if kind == OBJECT:
            return self.complete_object(t.target, f, value, path)  # type: ignore[arg-type]
        if kind == ABSTRACT:
            return self.complete_abstract(t, f, value, path)  # type: ignore[arg-type]
        raise TypeError(f"Cannot complete value of unexpected output type: '{inspect(t.gql)}'.")

    async def _non_null_async(self, f: FieldPlan, completed: Awaitable[Any]) -> Any:
        value = await completed
        if value is None:
            raise TypeError(f"Cannot return null for non-nullable field {f.parent_name}.{f.name}.")
        return value

    def complete_object(self, plan: ObjectPlan, f: FieldPlan, value: Any, path: Path) -> Any:
        is_type_of = plan.is_type_of
        if is_type_of is not None:
            matches = is_type_of(value, self.info(f, path) if plan.is_type_of_info else None)  # type: ignore[arg-type]
            if self.is_awaitable(matches):
                return self._object_async(plan, f, value, path, matches)
            if not matches:
                raise invalid_return_type_error(plan.type, value, f.details)
        return self.fields(plan, value, path)

    async def _object_async(
        self, plan: ObjectPlan, f: FieldPlan, value: Any, path: Path, matches: Awaitable[Any]
    ) -> Any:
        if not await matches:
            raise invalid_return_type_error(plan.type, value, f.details)
        completed = self.fields(plan, value, path)
        if self.is_awaitable(completed):
            return await completed
        return completed

    def complete_abstract(self, t: TypePlan, f: FieldPlan, value: Any, path: Path) -> Any:
        abstract = t.gql
        info = self.info(f, path)
        resolve_type = abstract.resolve_type or self.ex.type_resolver  # type: ignore[union-attr]
        runtime = resolve_type(value, info, abstract)  # type: ignore[arg-type]
        if self.is_awaitable(runtime):
            return self._abstract_async(t, f, value, path, info, runtime)
        return self._abstract_object(t, f, value, path, info, runtime)

    def _abstract_object(
        self, t: TypePlan, f: FieldPlan, value: Any, path: Path, info: GraphQLResolveInfo[Any], runtime: Any
    ) -> Any:
        object_type = self.ex.ensure_valid_runtime_type(runtime, t.gql, f.details, info, value)  # type: ignore[arg-type]
        return self.complete_object(t.by_type[object_type.name], f, value, path)

    async def _abstract_async(
        self, t: TypePlan, f: FieldPlan, value: Any, path: Path, info: GraphQLResolveInfo[Any], runtime: Any
    ) -> Any:
        completed = self._abstract_object(t, f, value, path, info, await runtime)
        if self.is_awaitable(completed):
            return await completed
        return completed

    def complete_list(self, t: TypePlan, f: FieldPlan, value: Any, path: Path) -> Any:
        if not is_iterable(value) or hasattr(value, "__aiter__"):
            if hasattr(value, "__aiter__"):
                raise GraphQLError("The compiled executor does not stream async iterables.")
            raise GraphQLError(
                f"Expected Iterable, but did not find one for field '{f.parent_name}.{f.name}'."
            )
        item_t: TypePlan = t.of  # type: ignore[assignment]
        leaf = item_t if item_t.kind == LEAF else item_t.of if item_t.kind == NON_NULL else None
        if leaf is not None and leaf.kind != LEAF:
            leaf = None
        is_awaitable = self.is_awaitable
        out: list[Any] = []
        pending: list[Awaitable[Any]] | None = None
        pending_at: list[int] = []
        for index, item in enumerate(value):
            if leaf is not None and item is not None and fast_leaf(leaf, item):
                out.append(item)
                continue
            item_path = Path(path, index, None)
            if is_awaitable(item):
                if pending is None:
                    pending = []
                pending.append(self.await_field(f, item_t, item, item_path))
                pending_at.append(index)
                out.append(None)
                continue
            try:
                completed = self.complete(item_t, f, item, item_path)
                if is_awaitable(completed):
                    if pending is None:
                        pending = []
                    pending.append(self.await_completed(f, item_t, completed, item_path))
                    pending_at.append(index)
                    out.append(None)
                    continue
                out.append(completed)
            except Exception as raw:
                try:
                    out.append(self.field_error(raw, item_t, f, item_path))
                except GraphQLError:
                    if pending:
                        self.ex.settle_in_background(pending)
                    raise
        if pending is None:
            return out
        return self._gather_items(out, pending_at, pending)

    async def _gather_items(self, out: list[Any], at: list[int], pending: list[Awaitable[Any]]) -> list[Any]:
        if len(pending) == 1:
            out[at[0]] = await pending[0]
        else:
            values = await gather_with_cancel(*pending)
            for index, value in zip(at, values, strict=True):
                out[index] = value
        return out
