"""Compiling one query operation into a plan the walker runs.

A plan is built once per operation (and per value of the variables its
``@skip``/``@include`` directives read), from graphql-core's own field
collection, so fragments, inline fragments and directives select exactly the
fields graphql-core would. Each selection becomes a flat tuple of
:class:`FieldPlan` (response key, how to get the value, how to complete it);
each return type a :class:`TypePlan` tree (non-null, list, leaf with its
serialiser, object with its sub-plan, abstract with one sub-plan per possible
type). What the compiler does not support raises :class:`Unsupported` and the
operation runs on graphql-core instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.cache import SHARED

if TYPE_CHECKING:
    from graphql import FieldNode, GraphQLField, GraphQLObjectType, GraphQLOutputType
    from graphql.execution.collect_fields import FieldDetails

    from gateway.execution.executor import CompiledExecutor

# Field kinds
TYPENAME, ATTR, RESOLVER, GENERIC = range(4)
# Type kinds
LEAF, NON_NULL, LIST, OBJECT, ABSTRACT = range(5)

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class Unsupported(Exception):
    """The compiler does not handle this operation; graphql-core runs it."""


class TypePlan:
    """How to complete a value of one output type."""

    __slots__ = ("abstract", "by_type", "fast", "gql", "kind", "needs_path", "of", "serialize", "target")

    def __init__(self, kind: int, gql: GraphQLOutputType) -> None:
        self.kind = kind
        self.gql = gql
        self.of: TypePlan | None = None
        self.target: ObjectPlan | None = None
        self.by_type: dict[str, ObjectPlan] = {}
        self.serialize: Callable[[Any], Any] | None = None
        self.fast: type | None = None  # a Python type whose values serialise as themselves
        self.needs_path = kind not in (LEAF, NON_NULL)
        self.abstract = kind == ABSTRACT


class ObjectPlan:
    """One selection set on one object type.

    ``shared``: every field of the selection, and of its sub-selections, is
    declared the same for every caller (``schema.cache.SHARED``) and takes no
    arguments. ``root`` (a number, else None): a shared selection on a type
    with an ``id``, whose completed value the walker keeps per object and
    versions of ``scopes`` (:class:`gateway.execution.shared.SharedAnswers`).
    """

    __slots__ = (
        "cls",
        "fields",
        "is_type_of",
        "is_type_of_info",
        "root",
        "run",
        "run_calls",
        "scopes",
        "shared",
        "type",
    )

    def __init__(self, type_: GraphQLObjectType) -> None:
        self.type = type_
        self.fields: tuple[FieldPlan, ...] = ()
        self.shared = False
        self.root: int | None = None
        self.scopes: tuple[str, ...] = ()
        self.is_type_of = type_.is_type_of
        # Strawberry's generated is_type_of ignores its info argument.
        qualname = getattr(self.is_type_of, "__qualname__", "")
        self.is_type_of_info = self.is_type_of is not None and not qualname.startswith("GraphQLCoreConverter")
        # The Strawberry class whose (uncast) instances need no is_type_of call,
        # and the selection's generated functions (gateway.execution.codegen).
        self.cls: type | None = None
        if not self.is_type_of_info:
            origin = getattr((type_.extensions or {}).get(_BACKREF), "origin", None)
            self.cls = origin if isinstance(origin, type) else None
        self.run: Callable[..., dict[str, Any]] | None = None
        self.run_calls: Callable[..., dict[str, Any]] | None = None


class FieldPlan:
    """One response key of a selection: where its value comes from and how it completes."""

    __slots__ = (
        "arguments",
        "attr",
        "default_resolver",
        "details",
        "field_def",
        "fn",
        "info_name",
        "key",
        "kind",
        "leaf",
        "name",
        "needs_path",
        "nodes",
        "nullable",
        "parent_kw",
        "parent_name",
        "parent_type",
        "pass_self",
        "resolve",
        "root_kw",
        "same",
        "static_args",
        "strawberry_field",
        "type",
        "uses_args",
    )

    def __init__(self, key: str, parent_type: GraphQLObjectType, details: list[FieldDetails]) -> None:
        self.key = key
        self.parent_type = parent_type
        self.parent_name = parent_type.name
        self.details = details
        self.nodes: list[FieldNode] = [d.node for d in details]
        self.name = self.nodes[0].name.value
        self.kind = ATTR
        self.attr = ""
        self.default_resolver: Callable[[Any, str], Any] | None = None
        self.field_def: GraphQLField | None = None
        self.fn: Callable[..., Any] | None = None
        self.resolve: Callable[..., Any] | None = None
        self.strawberry_field: Any = None
        self.info_name: str | None = None
        self.parent_kw: str | None = None
        self.root_kw: str | None = None
        self.pass_self = False
        self.uses_args = False
        self.static_args: dict[str, Any] | None = None
        self.arguments: list[Any] = []
        self.type: TypePlan | None = None
        self.leaf: TypePlan | None = None  # the leaf type of a leaf field, nullable or not
        self.same: type | None = None  # values of this type are the answer (str, bool)
        self.nullable = False
        self.needs_path = False

    @property
    def typename(self) -> str:
        return self.parent_name


class Plan:
    """A compiled operation: the root selection."""

    __slots__ = ("root",)

    def __init__(self, root: ObjectPlan) -> None:
        self.root = root


_ROOTS = itertools.count(1)


def _targets(t: TypePlan | None) -> list[ObjectPlan]:
    """The object selections under a type plan (through non-null and lists)."""
    while t is not None and t.kind in (NON_NULL, LIST):
        t = t.of
    if t is None or t.kind == LEAF:
        return []
    if t.kind == OBJECT:
        return [t.target] if t.target is not None else []
    return list(t.by_type.values())


def shared_declarations(context: Any) -> dict[str, tuple[str, ...]]:
    """The fields the app's cache declarations call the same for every caller
    (``schema.cache.SHARED``, by name), with their other static scopes."""
    gateway = getattr(context, "gateway", None)
    if gateway is None:
        return {}
    from gateway.security.services import services_of

    answers = services_of(gateway).answers
    if not answers.enabled:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for key, scopes in answers.plans.rules.fields.items():
        if callable(scopes) or SHARED not in scopes or key.endswith(".*"):
            continue
        found[key] = tuple(s for s in scopes if s != SHARED)
    return found


def _leaf(gql: Any) -> TypePlan:
    plan = TypePlan(LEAF, gql)
    plan.serialize = gql.coerce_output_value
    if gql is GraphQLString or gql is GraphQLID:
        plan.fast = str
    elif gql is GraphQLBoolean:
        plan.fast = bool
    elif gql is GraphQLInt:
        plan.fast = int
    elif gql is GraphQLFloat:
        plan.fast = float
    return plan


def fast_leaf(plan: TypePlan, value: Any) -> bool:
    """Whether ``value`` serialises as itself (checked exactly as graphql-core would)."""
    fast = plan.fast
    if fast is None or type(value) is not fast:
        return False
    if fast is int:
        return bool(INT32_MIN <= cast("int", value) <= INT32_MAX)
    if fast is float:
        return math.isfinite(cast("float", value))
    return True


class Compiler:
    """Builds a :class:`Plan` against the executor's schema, fragments and variables."""

    def __init__(self, executor: CompiledExecutor) -> None:
        self.ex = executor
        self.schema = executor.schema
        strawberry_schema = getattr(executor.schema, "_strawberry_schema", None)
        if strawberry_schema is None:
            raise Unsupported("not a Strawberry schema")
        self.strawberry = strawberry_schema
        self.converter = strawberry_schema.schema_converter
        # Selections already compiled, by (type, id of the field details list).
        self._memo: dict[tuple[str, int], ObjectPlan] = {}
        # "Type.field" -> declared scopes, for fields declared the same for every caller
        self.shared: dict[str, tuple[str, ...]] = shared_declarations(executor.context_value)

    def compile(self) -> Plan:
        ex = self.ex
        root_type = self.schema.get_root_type(ex.operation.operation)
        if root_type is None:
            raise Unsupported("no root type")
        grouped, defer_usages, _ = collect_fields(
            self.schema, ex.fragments, ex.variable_values, root_type, ex.operation, ex.hide_suggestions
        )
        if defer_usages:
            raise Unsupported("@defer")
        return Plan(self._selection(root_type, grouped))

    def _selection(self, type_: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> ObjectPlan:
        plan = ObjectPlan(type_)
        fields = []
        for key, details in grouped.items():
            field = self._field(type_, key, details)
            if field is not None:
                fields.append(field)
        plan.fields = tuple(fields)
        self._share(plan)
        return plan

    def _share(self, plan: ObjectPlan) -> None:
        """Mark ``plan`` shared (and a root) when all it selects is shared."""
        scopes: set[str] = set()
        for f in plan.fields:
            if f.kind == TYPENAME:
                continue
            declared = self.shared.get(f"{plan.type.name}.{f.name}")
            if declared is None or f.uses_args:
                return
            scopes.update(declared)
            for target in _targets(f.type):
                if not target.shared:
                    return
                scopes.update(target.scopes)
        plan.shared = True
        plan.scopes = tuple(sorted(scopes))
        if "id" in plan.type.fields and plan.fields:
            plan.root = next(_ROOTS)

    def _field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> FieldPlan | None:
        for detail in details:
            if detail.fragment_variable_values is not None or detail.defer_usage is not None:
                raise Unsupported("fragment arguments or @defer")
        plan = FieldPlan(key, parent, details)
        if plan.name == "__typename":
            plan.kind = TYPENAME
            return plan
        if plan.name.startswith("__"):
            raise Unsupported("introspection")
        field_def = self.schema.get_field(parent, plan.name)
        if field_def is None:
            return None  # graphql-core leaves the key out as well
        plan.field_def = field_def
        node = plan.nodes[0]
        plan.uses_args = bool(field_def.args or node.arguments)
        if any(d.name.value == "stream" for d in node.directives or ()):
            raise Unsupported("@stream")
        self._how_to_resolve(plan, field_def)
        plan.type = self._type(field_def.type, details)
        if plan.type.kind == LEAF:
            plan.leaf = plan.type
        elif plan.type.kind == NON_NULL and plan.type.of is not None and plan.type.of.kind == LEAF:
            plan.leaf = plan.type.of
        if plan.leaf is not None and plan.leaf.fast in (str, bool):
            plan.same = plan.leaf.fast
        plan.nullable = plan.type.kind != NON_NULL
        plan.needs_path = plan.type.needs_path
        return plan

    def _how_to_resolve(self, plan: FieldPlan, field_def: GraphQLField) -> None:
        resolve = field_def.resolve
        strawberry_field = (field_def.extensions or {}).get(_BACKREF)
        plan.resolve = resolve
        plan.strawberry_field = strawberry_field
        if strawberry_field is None or resolve is None:
            plan.kind = GENERIC
            return
        basic = getattr(resolve, "__name__", "") == "_get_basic_result" and not plan.uses_args
        if basic:
            plan.kind = ATTR
            plan.attr = strawberry_field.python_name
            default = strawberry_field.default_resolver
            plan.default_resolver = None if default is getattr else default
            return
        handlers = getattr(self.converter, "_get_field_exception_handlers", None)
        base = strawberry_field.base_resolver
        if (
            base is None
            or strawberry_field.extensions
            or handlers is None
            or handlers(strawberry_field)
            or getattr(base, "is_async_generator", False)
        ):
            plan.kind = GENERIC  # through Strawberry's own resolver wrapper
            return
        plan.kind = RESOLVER
        plan.fn = base.wrapped_func
        plan.pass_self = base.self_parameter is not None
        parent = base.parent_parameter
        root = base.root_parameter
        info = base.info_parameter
        plan.parent_kw = parent.name if parent is not None else None
        plan.root_kw = root.name if root is not None else None
        plan.info_name = info.name if info is not None else None
        plan.arguments = list(strawberry_field.arguments)

    def _type(self, gql: GraphQLOutputType, details: list[FieldDetails]) -> TypePlan:
        if is_non_null_type(gql):
            plan = TypePlan(NON_NULL, gql)
            plan.of = self._type(gql.of_type, details)
            plan.needs_path = plan.of.needs_path
            return plan
        if is_list_type(gql):
            plan = TypePlan(LIST, gql)
            plan.of = self._type(gql.of_type, details)
            return plan
        if is_leaf_type(gql):
            return _leaf(gql)
        if is_object_type(gql):
            plan = TypePlan(OBJECT, gql)
            plan.target = self._subselection(gql, details)
            return plan
        if is_abstract_type(gql):
            plan = TypePlan(ABSTRACT, gql)
            for possible in self.schema.get_possible_types(gql):
                plan.by_type[possible.name] = self._subselection(possible, details)
            return plan
        raise Unsupported(f"output type {gql}")

    def _subselection(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> ObjectPlan:
        memo_key = (type_.name, id(details))
        existing = self._memo.get(memo_key)
        if existing is not None:
            return existing
        ex = self.ex
        grouped, defer_usages, _ = collect_subfields(
            self.schema, ex.fragments, ex.variable_values, ex.operation, type_, details, ex.hide_suggestions
        )
        if defer_usages:
            raise Unsupported("@defer")
        plan = self._selection(type_, grouped)
        self._memo[memo_key] = plan
        return plan
