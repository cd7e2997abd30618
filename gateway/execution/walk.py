"""Running a compiled plan: resolve, complete and serialise in one walk.

The walk follows graphql-core's rules step for step (the differential test
holds it to them): a field error is located at the field's path and nulls
the nearest nullable ancestor; a non-null field that comes back null is the
error "Cannot return null for non-nullable field T.f."; errors under a
position already nulled are dropped (graphql-core's ``CollectedErrors``).

What it leaves out is graphql-core's per-field machinery: no resolve info
unless a resolver asks for it, no argument coercion for fields without
arguments, a plain ``getattr`` for Strawberry fields without a resolver,
precomputed serialisers for scalars, and no coroutine or gather per object
or list. Whatever completes synchronously is completed in place; each
awaitable a resolver returns becomes a :class:`Pending` entry of the current
*wave*. The driver (:func:`gateway.execution.waves.drive`) awaits a whole
wave at once (so the DataLoader loads of the whole level are queued before
the loaders dispatch), then completes the values, which queue the next
wave. A non-null error raised while completing an entry goes to the nearest
nullable ancestor recorded with it (its :class:`Boundary`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, located_error
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, inspect, is_iterable
from strawberry.types.arguments import convert_arguments
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE as CAST

from gateway.execution.codegen import generate
from gateway.execution.plan import (
    ABSTRACT,
    GENERIC,
    LEAF,
    LIST,
    NON_NULL,
    OBJECT,
    FieldPlan,
    ObjectPlan,
    TypePlan,
    fast_leaf,
)
from gateway.execution.shared import VERSIONS
from gateway.execution.shared import token as shared_token
from schema.cache import NO_STORE
from schema.context import State
from schema.context import is_awaitable as _is_awaitable

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo

    from gateway.execution.executor import CompiledExecutor
    from gateway.execution.shared import SharedAnswers

# Values of these types are never awaitable: skip the awaitable check.
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None), list, dict, tuple})

_new_tuple = tuple.__new__


def _path(prev: Path | None, key: str | int, typename: str | None) -> Path:
    """``Path(prev, key, typename)`` without the named tuple's ``__new__`` frame."""
    return _new_tuple(Path, (prev, key, typename))


class _LazyInfo:
    """graphql-core's resolve info for a resolver without arguments, built
    only when the resolver reads more of it than ``context`` (most read
    nothing else)."""

    __slots__ = ("_built", "_f", "_path", "_walker", "context")

    def __init__(self, walker: Walker, f: FieldPlan, path: Path) -> None:
        self._walker = walker
        self._f = f
        self._path = path
        self._built: GraphQLResolveInfo[Any] | None = None
        self.context = walker.ex.context_value

    def __getattr__(self, name: str) -> Any:
        built = self._built
        if built is None:
            built = self._built = self._walker.info(self._f, self._path)
        return getattr(built, name)


class Boundary:
    """A nullable position: where a non-null error below it ends (``None`` key: the whole answer)."""

    __slots__ = ("container", "key", "path")

    def __init__(self, container: Any, key: str | int | None, path: Path | None) -> None:
        self.container = container
        self.key = key
        self.path = path


class Pending:
    """An awaitable a resolver returned, with where its completed value goes."""

    __slots__ = ("awaitable", "boundary", "container", "f", "key", "ok", "path", "t", "value")

    def __init__(
        self,
        container: Any,
        key: str | int,
        f: FieldPlan,
        t: TypePlan,
        path: Path,
        boundary: Boundary,
        awaitable: Any,
    ) -> None:
        self.container = container
        self.key = key
        self.f = f
        self.t = t
        self.path = path
        self.boundary = boundary
        self.awaitable = awaitable
        self.ok = True
        self.value: Any = None


_RUNTIME: dict[str, Any] = {"_path": _path, "Boundary": Boundary, "_LazyInfo": _LazyInfo}
"""What the generated code of a selection calls besides the walker's methods."""


class Walker:
    """One execution of a plan; errors go to the executor's collected errors."""

    __slots__ = (
        "add_error",
        "ex",
        "is_awaitable",
        "propagate",
        "root_nulled",
        "shared",
        "strawberry",
        "tokens",
        "versions",
        "wave",
    )

    inline_calls = True
    """Whether the generated code calls resolvers itself (else through :meth:`call`)."""

    def __init__(self, executor: CompiledExecutor, shared: SharedAnswers | None = None) -> None:
        self.ex = executor
        self.is_awaitable = executor.is_awaitable
        self.add_error = executor.collected_errors.add
        self.propagate = executor.error_propagation
        self.strawberry = executor.schema._strawberry_schema  # type: ignore[attr-defined]
        self.wave: list[Pending] = []
        self.root_nulled = False
        # Shared selections (gateway.execution.shared): only with the versions
        # the answer cache read for this request.
        self.shared = shared
        self.versions: dict[str, int] | None = None
        self.tokens: dict[int, tuple[Any, ...]] = {}
        if shared is not None:
            state = getattr(executor.context_value, "state", None)
            if isinstance(state, State):
                self.versions = state.get(VERSIONS)

    # -- selections ---------------------------------------------------------

    def fields(self, plan: ObjectPlan, source: Any, path: Path | None, boundary: Boundary) -> dict[str, Any]:
        """The selection's response dict; awaitables are queued on the wave.
        Runs the selection's generated function (:mod:`gateway.execution.codegen`)."""
        run = plan.run if self.inline_calls else plan.run_calls
        if run is None:
            run = generate(plan, self.inline_calls, self.strawberry.config.info_class, _RUNTIME)
        return run(self, source, path, boundary)

    def finish(
        self,
        result: dict[str, Any],
        f: FieldPlan,
        value: Any,
        path: Path | None,
        fpath: Path | None,
        boundary: Boundary,
    ) -> None:
        """Store ``value``, the field's resolved value, completed (or queue it on
        the wave): what the generated code leaves to the generic walk."""
        key = f.key
        t: TypePlan = f.type  # type: ignore[assignment]
        if fpath is None and f.needs_path:
            fpath = _path(path, key, f.parent_name)
        try:
            if type(value) not in _PLAIN and _is_awaitable(value):
                result[key] = None
                self.wave.append(
                    Pending(result, key, f, t, fpath or _path(path, key, f.parent_name), boundary, value)
                )
                return
            leaf = f.leaf
            if leaf is not None and value is not None and fast_leaf(leaf, value):
                result[key] = value
                return
            inner = boundary if t.kind == NON_NULL or not t.needs_path else Boundary(result, key, fpath)
            result[key] = self.complete(t, f, value, fpath, inner)
        except Exception as raw:
            result[key] = self.field_error(raw, t, f, fpath or _path(path, key, f.parent_name))

    def list_item(
        self,
        out: list[Any],
        index: int,
        f: FieldPlan,
        item_t: TypePlan,
        item: Any,
        item_path: Path,
        boundary: Boundary,
    ) -> None:
        """Complete one item of a list into ``out[index]`` (or queue it), as
        :meth:`complete_list` does for each of its items."""
        if type(item) not in _PLAIN and _is_awaitable(item):
            self.wave.append(Pending(out, index, f, item_t, item_path, boundary, item))
            return
        try:
            inner = (
                Boundary(out, index, item_path) if item_t.kind != NON_NULL and item_t.needs_path else boundary
            )
            out[index] = self.complete(item_t, f, item, item_path, inner)
        except Exception as raw:
            out[index] = self.field_error(raw, item_t, f, item_path)

    def field_error(self, raw: Exception, t: TypePlan, f: FieldPlan, path: Path) -> Any:
        """Locate ``raw``; null this position, or raise it on to the nullable ancestor."""
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
        """Call the field's resolver as Strawberry would (or Strawberry's wrapper itself)."""
        if f.kind == GENERIC:
            return f.resolve(source, self.info(f, fpath), **self.raw_arguments(f))  # type: ignore[misc]
        sinfo = None
        if f.info_name is not None or f.uses_args:
            schema = self.strawberry
            raw: Any = self.info(f, fpath) if f.uses_args else _LazyInfo(self, f, fpath)
            sinfo = schema.config.info_class(_raw_info=raw, _field=f.strawberry_field)
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

    def complete(self, t: TypePlan, f: FieldPlan, value: Any, path: Path | None, boundary: Boundary) -> Any:
        """Complete ``value`` as type ``t`` (``path`` may be None only for leaves);
        ``boundary`` is the nearest nullable position at or above this one."""
        if isinstance(value, Exception):
            raise value
        kind = t.kind
        if kind == NON_NULL:
            completed = self.complete(t.of, f, value, path, boundary)  # type: ignore[arg-type]
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
            return self.complete_list(t, f, value, path, boundary)  # type: ignore[arg-type]
        if kind == OBJECT:
            return self.complete_object(t.target, f, value, path, boundary)  # type: ignore[arg-type]
        if kind == ABSTRACT:
            return self.complete_abstract(t, f, value, path, boundary)  # type: ignore[arg-type]
        raise TypeError(f"Cannot complete value of unexpected output type: '{inspect(t.gql)}'.")

    def complete_object(
        self, plan: ObjectPlan, f: FieldPlan, value: Any, path: Path, boundary: Boundary
    ) -> Any:
        is_type_of = plan.is_type_of
        if is_type_of is not None and not (type(value) is plan.cls and getattr(value, CAST, None) is None):
            matches = is_type_of(value, self.info(f, path) if plan.is_type_of_info else None)  # type: ignore[arg-type]
            if _is_awaitable(matches):
                raise GraphQLError("The compiled executor does not await is_type_of.")
            if not matches:
                raise invalid_return_type_error(plan.type, value, f.details)
        if plan.root is not None and self.versions is not None:
            return self.shared_object(plan, plan.root, value, path, boundary)
        return self.fields(plan, value, path, boundary)

    def shared_object(self, plan: ObjectPlan, root: int, value: Any, path: Path, boundary: Boundary) -> Any:
        """A shared selection's value: kept from an earlier request, or
        completed here (and kept when it completed at once, without errors)."""
        ident = getattr(value, "id", None)
        shared = self.shared
        versions = self.versions
        if not isinstance(ident, str) or shared is None or versions is None:
            return self.fields(plan, value, path, boundary)
        token = self.tokens.get(root)
        if token is None:
            token = self.tokens[root] = shared_token(plan.scopes, versions)
        key = (root, ident, token)
        found = shared.get(key)
        if found is not None:
            return found
        waves = len(self.wave)
        errors = len(self.ex.collected_errors.errors)
        result = self.fields(plan, value, path, boundary)
        if len(self.wave) == waves and len(self.ex.collected_errors.errors) == errors:
            state = getattr(self.ex.context_value, "state", None)
            if not (isinstance(state, State) and state.get(NO_STORE, False)):
                shared.put(key, result)
        return result

    def complete_abstract(self, t: TypePlan, f: FieldPlan, value: Any, path: Path, boundary: Boundary) -> Any:
        abstract = t.gql
        info = self.info(f, path)
        resolve_type = abstract.resolve_type or self.ex.type_resolver  # type: ignore[union-attr]
        runtime = resolve_type(value, info, abstract)  # type: ignore[arg-type]
        if _is_awaitable(runtime):
            raise GraphQLError("The compiled executor does not await resolve_type.")
        object_type = self.ex.ensure_valid_runtime_type(runtime, abstract, f.details, info, value)  # type: ignore[arg-type]
        return self.complete_object(t.by_type[object_type.name], f, value, path, boundary)

    def complete_list(self, t: TypePlan, f: FieldPlan, value: Any, path: Path, boundary: Boundary) -> Any:
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
        nullable_items = item_t.kind != NON_NULL and item_t.needs_path
        is_awaitable = _is_awaitable
        out: list[Any] = []
        for index, item in enumerate(value):
            if leaf is not None and item is not None and fast_leaf(leaf, item):
                out.append(item)
                continue
            item_path = _path(path, index, None)
            if type(item) not in _PLAIN and is_awaitable(item):
                out.append(None)
                self.wave.append(Pending(out, index, f, item_t, item_path, boundary, item))
                continue
            try:
                inner = Boundary(out, index, item_path) if nullable_items else boundary
                out.append(None)
                out[index] = self.complete(item_t, f, item, item_path, inner)
            except Exception as raw:
                out[index] = self.field_error(raw, item_t, f, item_path)
        return out

    def settle(self, entry: Pending) -> None:
        """Complete one settled entry of a wave (queueing the next wave's awaitables)."""
        t = entry.t
        try:
            if not entry.ok:
                raise entry.value
            inner = entry.boundary
            if t.kind != NON_NULL and t.needs_path:
                inner = Boundary(entry.container, entry.key, entry.path)
            entry.container[entry.key] = self.complete(t, entry.f, entry.value, entry.path, inner)
        except Exception as raw:
            try:
                entry.container[entry.key] = self.field_error(raw, t, entry.f, entry.path)
            except GraphQLError as error:
                self.null_boundary(entry.boundary, error)

    def null_boundary(self, boundary: Boundary, error: GraphQLError) -> None:
        """A non-null error reached ``boundary``: null it there (the root: no data)."""
        if boundary.key is None:
            self.root_nulled = True
        else:
            boundary.container[boundary.key] = None
        self.add_error(error, boundary.path)
