"""What an operation's answer depends on, worked out once per document.

The document is walked with the composed schema (fragments and inline
fragments included, ``@skip``/``@include`` ignored so the set is a superset),
and each selected field's declaration (``schema.cache``) is collected. The
result is kept per document text and operation name, so a cached answer is
found without parsing the document again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    parse,
)

from schema.cache import LEARNER, SAME_LEARNER, SHARED, FieldScopes

OWNED_TYPE = "Learner"  # objects of this type own "learner" records
NO_PARSE = "the document does not parse"
NO_OPERATION = "no such operation"
NOT_A_QUERY = "not a query"


@dataclass(frozen=True)
class Plan:
    """``reason`` is why the answer cannot be cached (``None``: it can); else
    ``scopes`` are the declared scopes and templates, ``functions`` the
    declarations computed per request."""

    reason: str | None
    scopes: tuple[str, ...] = ()
    functions: tuple[Callable[[Any], Iterable[str]], ...] = ()


class _Uncacheable(Exception):
    pass


class FieldRules:
    def __init__(self, fields: Mapping[str, FieldScopes]) -> None:
        self.fields = dict(fields)

    def lookup(self, type_name: str, field_name: str) -> FieldScopes | None:
        found = self.fields.get(f"{type_name}.{field_name}")
        if found is None:
            found = self.fields.get(f"{type_name}.*")
        return found


class _Walk:
    def __init__(self, schema: GraphQLSchema, rules: FieldRules, fragments: dict[str, Any]) -> None:
        self.schema = schema
        self.rules = rules
        self.fragments = fragments
        self.scopes: set[str] = set()
        self.functions: list[Callable[[Any], Iterable[str]]] = []

    def declared(self, parent: Any, name: str) -> list[tuple[Any, FieldScopes]]:
        """The field's definition and declaration on each concrete type it may be
        resolved on (an interface's own declaration covers them all)."""
        if isinstance(parent, GraphQLInterfaceType):
            own = self.rules.lookup(parent.name, name)
            if own is not None and name in parent.fields:
                return [(parent.fields[name], own)]
        if isinstance(parent, (GraphQLInterfaceType, GraphQLUnionType)):
            types: Iterable[GraphQLObjectType] = self.schema.get_possible_types(parent)
        elif isinstance(parent, GraphQLObjectType):
            types = [parent]
        else:
            raise _Uncacheable(f"selection on {parent}")
        found = []
        for concrete in types:
            definition = concrete.fields.get(name)
            if definition is None:
                continue
            declaration = self.rules.lookup(concrete.name, name)
            if declaration is None:
                raise _Uncacheable(f"{concrete.name}.{name} declares no cache dependencies")
            found.append((definition, declaration))
        if not found:
            raise _Uncacheable(f"no field {name} on {parent.name}")
        return found

    def selections(
        self, parent: Any, selection_set: SelectionSetNode, owned: bool, seen: frozenset[str]
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(parent, selection, owned, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(target, selection.selection_set, owned, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None:
                    raise _Uncacheable(f"unknown fragment {name}")
                if name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                self.selections(target, fragment.selection_set, owned, seen | {name})

    def field(self, parent: Any, node: FieldNode, owned: bool, seen: frozenset[str]) -> None:
        name = node.name.value
        if name == "__typename":
            return
        if name in ("__schema", "__type"):
            return  # the schema is fixed for the life of the app
        for definition, declaration in self.declared(parent, name):
            same_learner = False
            if callable(declaration):
                self.functions.append(declaration)
            else:
                for scope in declaration:
                    if scope == SAME_LEARNER:
                        same_learner = True
                    elif scope == SHARED:
                        continue  # how the executor may share it, not something it reads
                    elif scope == LEARNER and not owned:
                        raise _Uncacheable(f"{name} reads the records of a learner other than the caller")
                    else:
                        self.scopes.add(scope)
            target = get_named_type(definition.type)
            child_owned = owned and same_learner if target.name == OWNED_TYPE else owned
            if node.selection_set is not None:
                self.selections(target, node.selection_set, child_owned, seen)


def make_plan(
    schema: GraphQLSchema, rules: FieldRules, query: str, operation_name: str | None, max_tokens: int
) -> Plan:
    try:
        document = parse(query, max_tokens=max_tokens, no_location=True)
    except GraphQLError:
        return Plan(NO_PARSE)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Plan(NO_OPERATION)
    if operation.operation != OperationType.QUERY:
        return Plan(NOT_A_QUERY)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, rules, fragments)
    root = schema.query_type
    if root is None:
        return Plan("no query type")
    try:
        walk.selections(root, operation.selection_set, True, frozenset())
    except _Uncacheable as exc:
        return Plan(str(exc))
    return Plan(None, tuple(sorted(walk.scopes)), tuple(walk.functions))


class Plans:
    """Plans by (document text, operation name), least recently used dropped."""

    def __init__(self, schema: GraphQLSchema, rules: FieldRules, size: int, max_tokens: int) -> None:
        self.schema = schema
        self.rules = rules
        self.size = max(size, 1)
        self.max_tokens = max_tokens
        self._plans: OrderedDict[tuple[str, str | None], Plan] = OrderedDict()
        self._confirmed: set[tuple[str, str | None]] = set()
        self._lock = threading.Lock()

    def get(self, query: str, operation_name: str | None) -> Plan:
        key = (query, operation_name)
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        plan = make_plan(self.schema, self.rules, query, operation_name, self.max_tokens)
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self.size:
                dropped, _ = self._plans.popitem(last=False)
                self._confirmed.discard(dropped)
        return plan

    def confirmed(self, query: str, operation_name: str | None) -> bool:
        """Whether this operation has been answered without errors here: until
        then the cache is not consulted, so an operation the limits refuse, or
        one that never succeeds, costs no read of the versions."""
        return (query, operation_name) in self._confirmed

    def confirm(self, query: str, operation_name: str | None) -> None:
        with self._lock:
            if (query, operation_name) in self._plans:
                self._confirmed.add((query, operation_name))
