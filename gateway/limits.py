"""Operation limits, checked in one pass over a parsed document.

The walk follows fragment spreads (each fragment is measured once and its
measure reused at every spread, so aliases and cost multiplied through
fragments are counted without expanding them) and measures, per operation:

* depth: the longest chain of nested fields;
* aliases: every aliased field, counted once per time it is reached;
* root fields: fields directly under the operation;
* cost: ``1 + size * cost(selection below)`` per field, where ``size`` is the
  ``first``/``last`` argument (literal, variable or schema default), else the
  configured size of a list field (``limits.list_sizes["Type.field"]`` or
  ``limits.default_list_size``), else 1. ``edges``/``nodes`` of a
  ``...Connection`` type count once: their page was already counted by
  ``first``;
* introspection: whether ``__schema`` or ``__type`` is asked for. Their
  selections are bounded by rules of their own instead of depth and cost
  (a client's standard introspection query is deeper than any operation
  needs to be): ``limits.max_introspection_depth`` and at most
  ``MAX_TYPE_EXPANSIONS`` nested lists of a type's members (``fields``,
  ``inputFields``, ``interfaces``, ``possibleTypes``) on any path, as
  graphql-js's ``MaxIntrospectionDepthRule`` counts them.

It runs before graphql-core's validation, whose cost grows faster than the
document (overlapping-fields checks), so a hostile document is refused
before any expensive work. Fragment cycles are refused here too, since the
walk cannot measure them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
)

from schema.errors import BadUserInput, Forbidden, OperationLimit

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLSchema

    from gateway.settings import LimitsSettings

# Deepest nesting of selection sets and fragment spreads the walk follows,
# whatever the depth limit: keeps the walk far from Python's recursion limit.
MAX_NESTING = 150
SIZE_ARGUMENTS = ("first", "last")
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# Lists of a type's members: nesting them (a type's fields' types' fields...)
# is what makes an introspection query expensive.
TYPE_EXPANSIONS = frozenset({"fields", "inputFields", "interfaces", "possibleTypes"})
MAX_TYPE_EXPANSIONS = 2


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    fields: int = 0  # fields at this level, fragments expanded
    cost: int = 0
    introspection: bool = False
    expansions: int = 0  # nested type-member lists inside introspection

    def add(self, other: Measure) -> None:
        self.depth = max(self.depth, other.depth)
        self.expansions = max(self.expansions, other.expansions)
        self.aliases += other.aliases
        self.fields += other.fields
        self.cost += other.cost
        self.introspection = self.introspection or other.introspection


@dataclass(frozen=True)
class Analysis:
    """What one document asks for (the largest figure over its operations)."""

    depth: int
    aliases: int
    root_fields: int
    cost: int
    introspection: bool
    uses_variable_sizes: bool


def _limit_error(what: str, actual: int, maximum: int) -> GraphQLError:
    message = f"The operation's {what} is {actual}, over the limit of {maximum}."
    return GraphQLError(message, original_error=OperationLimit(message, limit=what, maximum=maximum))


def _named(type_: Any) -> tuple[Any, bool]:
    """The named type under wrappers, and whether a list wraps it."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def page_bound(field: str, returns: Any, size: int, limits: LimitsSettings) -> None:
    """A ``...Connection`` page is 0 to ``limits.max_page_size`` (documented):
    outside that is the client's mistake (``BAD_USER_INPUT``), not a cost."""
    if getattr(returns, "name", "").endswith("Connection") and not (0 <= size <= limits.max_page_size):
        message = f"{field}: first must be between 0 and {limits.max_page_size}."
        raise GraphQLError(message, original_error=BadUserInput(message, field="first"))


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        limits: LimitsSettings,
        variables: dict[str, Any] | None,
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.limits = limits
        self.variables = variables or {}
        self.defaults = {d.variable.name.value: d.default_value for d in operation.variable_definitions or ()}
        self.memo: dict[str, Measure] = {}
        self.visiting: set[str] = set()
        self.uses_variable_sizes = False

    def selection_set(self, node: SelectionSetNode, parent: Any, nesting: int) -> Measure:
        if nesting > MAX_NESTING:
            raise _limit_error("nesting", nesting, MAX_NESTING)
        total = Measure()
        self.repeated(node)
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total.add(self.field(selection, parent, nesting))
            elif isinstance(selection, InlineFragmentNode):
                type_ = parent
                if selection.type_condition is not None:
                    type_ = self.schema.get_type(selection.type_condition.name.value)
                total.add(self.selection_set(selection.selection_set, type_, nesting + 1))
            elif isinstance(selection, FragmentSpreadNode):
                total.add(self.spread(selection.name.value, nesting))
        return total

    def repeated(self, node: SelectionSetNode) -> None:
        """Refuse one response name selected too often in one selection set,
        inline fragments included (validation merges them and compares every
        pair of fields with one name). A named fragment spread is compared
        once whatever its repeats, and fragments are bounded by their count."""
        maximum = self.limits.max_repeated_fields
        seen: dict[str, int] = {}
        pending = [node]
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    seen[key] = seen.get(key, 0) + 1
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
        worst = max(seen.values(), default=0)
        if worst > maximum:
            raise _limit_error("repeated fields", worst, maximum)

    def spread(self, name: str, nesting: int) -> Measure:
        known = self.memo.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None:
            return Measure()  # validation reports the unknown fragment
        if name in self.visiting:
            message = f"Cannot spread fragment '{name}' within itself."
            raise GraphQLError(message, original_error=BadUserInput(message))
        self.visiting.add(name)
        type_ = self.schema.get_type(fragment.type_condition.name.value)
        measure = self.selection_set(fragment.selection_set, type_, nesting + 1)
        self.visiting.discard(name)
        self.memo[name] = measure
        return measure

    def field(self, node: FieldNode, parent: Any, nesting: int) -> Measure:
        name = node.name.value
        measure = Measure(fields=1, aliases=1 if node.alias else 0, depth=1, cost=1)
        if name in INTROSPECTION_FIELDS:
            measure.introspection = True
        field_def = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            field_def = parent.fields.get(name)
        if name in INTROSPECTION_FIELDS and parent is self.schema.query_type:
            field_def = SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        if node.selection_set is None:
            return measure
        child_type, is_list = _named(field_def.type) if field_def is not None else (None, False)
        below = self.selection_set(node.selection_set, child_type, nesting + 1)
        size = self.size(node, field_def, parent, is_list)
        measure.depth = 1 + below.depth
        measure.aliases += below.aliases
        measure.cost = 1 + size * below.cost
        measure.introspection = measure.introspection or below.introspection
        measure.expansions = below.expansions
        if getattr(parent, "name", "").startswith("__"):
            # Inside introspection: bounded by its own rules (checked at its root field).
            if name in TYPE_EXPANSIONS:
                measure.expansions += 1
                if measure.expansions > MAX_TYPE_EXPANSIONS:
                    raise _limit_error("introspection nesting", measure.expansions, MAX_TYPE_EXPANSIONS)
            return measure
        if name in INTROSPECTION_FIELDS:
            maximum = self.limits.max_introspection_depth
            if measure.depth > maximum:
                raise _limit_error("introspection depth", measure.depth, maximum)
            return Measure(fields=1, aliases=measure.aliases, depth=1, cost=1, introspection=True)
        if measure.depth > self.limits.max_depth:
            raise _limit_error("depth", measure.depth, self.limits.max_depth)
        return measure

    def given_size(self, node: FieldNode) -> int | None:
        """The ``first``/``last`` the operation gives (literal or variable), if any."""
        for argument in node.arguments or ():
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = argument.value
            raw: Any = None
            if isinstance(value, VariableNode):
                raw = self.variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                raw = int(value.value)
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
        return None

    def size(self, node: FieldNode, field_def: Any, parent: Any, is_list: bool) -> int:
        given = self.given_size(node)
        if given is not None and field_def is not None:
            page_bound(node.name.value, _named(field_def.type)[0], given, self.limits)
        for argument in node.arguments or ():
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                self.uses_variable_sizes = True
                var = value.name.value
                raw = self.variables.get(var)
                if raw is None and isinstance(self.defaults.get(var), IntValueNode):
                    raw = int(self.defaults[var].value)  # type: ignore[union-attr]
                if isinstance(raw, int) and not isinstance(raw, bool):
                    return max(raw, 0)
            elif isinstance(value, IntValueNode):
                return max(int(value.value), 0)
        if field_def is not None:
            for arg_name in SIZE_ARGUMENTS:
                arg = field_def.args.get(arg_name)
                if arg is not None and isinstance(arg.default_value, int):
                    return max(arg.default_value, 0)
        parent_name = getattr(parent, "name", "")
        if not is_list:
            return 1
        if parent_name.endswith("Connection") and node.name.value in ("edges", "nodes"):
            return 1
        configured = self.limits.list_sizes.get(f"{parent_name}.{node.name.value}")
        return configured if configured is not None else self.limits.default_list_size


def count_definitions(document: DocumentNode, limits: LimitsSettings) -> None:
    """Refuse a document with more operations or fragments than allowed.

    Checked before anything else reads the document: the walk measures every
    operation, and graphql-core's validation compares fragments and
    operations with one another, so both grow with these counts."""
    operations = fragments = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            operations += 1
        elif isinstance(definition, FragmentDefinitionNode):
            fragments += 1
    if operations > limits.max_operations:
        raise _limit_error("operations", operations, limits.max_operations)
    if fragments > limits.max_fragments:
        raise _limit_error("fragments", fragments, limits.max_fragments)


def analyse(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: LimitsSettings,
    variables: dict[str, Any] | None = None,
) -> Analysis:
    """Measure every operation of ``document``; raise a ``GraphQLError`` (code
    ``OPERATION_LIMIT``) at the first limit passed."""
    count_definitions(document, limits)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    result = Measure()
    root_fields = 0
    uses_variable_sizes = False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type,
        }[definition.operation]
        walker = _Walker(schema, fragments, limits, variables, definition)
        measure = walker.selection_set(definition.selection_set, root, 1)
        uses_variable_sizes = uses_variable_sizes or walker.uses_variable_sizes
        root_fields = max(root_fields, measure.fields)
        result.depth = max(result.depth, measure.depth)
        result.aliases = max(result.aliases, measure.aliases)
        result.cost = max(result.cost, measure.cost)
        result.introspection = result.introspection or measure.introspection
    if result.aliases > limits.max_aliases:
        raise _limit_error("aliases", result.aliases, limits.max_aliases)
    if root_fields > limits.max_root_fields:
        raise _limit_error("root fields", root_fields, limits.max_root_fields)
    if result.cost > limits.max_cost:
        raise _limit_error("cost", result.cost, limits.max_cost)
    return Analysis(
        depth=result.depth,
        aliases=result.aliases,
        root_fields=root_fields,
        cost=result.cost,
        introspection=result.introspection,
        uses_variable_sizes=uses_variable_sizes,
    )


def introspection_refused() -> GraphQLError:
    message = "Introspection is turned off on this gateway."
    return GraphQLError(message, original_error=Forbidden(message))
