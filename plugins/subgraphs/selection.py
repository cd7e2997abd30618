"""What is sent to a subgraph: the client's sub-selection, only the fields it
owns, fragments inlined, the variables it uses; and checking what comes back.

Aliases, arguments, variables and ``@skip``/``@include`` inside the
sub-selection are kept as the client wrote them. Under one of the gateway's
entities (a stub in the subgraph), only its key fields are asked: the gateway
resolves the rest itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    NameNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    visit,
)
from graphql.language import Visitor

from plugins.subgraphs.remote import Remote


class BadAnswer(Exception):
    """The subgraph's answer does not fit what was asked."""


def rewrite(
    remote: Remote,
    type_name: str,
    selections: Iterable[Any],
    fragments: dict[str, FragmentDefinitionNode],
    local_entities: dict[str, list[str]],
) -> SelectionSetNode:
    """The part of ``selections`` (on ``type_name``) the subgraph resolves."""
    out: list[Any] = []
    t = remote.schema.type_map.get(type_name)
    fields = getattr(t, "fields", {}) or {}
    is_stub = type_name in local_entities
    keys = local_entities.get(type_name, [])
    for sel in selections:
        if isinstance(sel, FieldNode):
            name = sel.name.value
            if name == "__typename":
                out.append(sel)
                continue
            if name not in fields or (type_name, name) in remote.external or (is_stub and name not in keys):
                continue
            sub = None
            if sel.selection_set is not None:
                inner = get_named_type(fields[name].type).name
                sub = rewrite(remote, inner, sel.selection_set.selections, fragments, local_entities)
            out.append(
                FieldNode(
                    alias=sel.alias,
                    name=sel.name,
                    arguments=sel.arguments,
                    directives=sel.directives,
                    selection_set=sub,
                )
            )
        elif isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition.name.value if sel.type_condition else type_name
            if cond != type_name:
                continue  # remote types are object types: only their own name matches
            inner_set = rewrite(remote, type_name, sel.selection_set.selections, fragments, local_entities)
            out.append(
                InlineFragmentNode(type_condition=None, directives=sel.directives, selection_set=inner_set)
            )
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments[sel.name.value]
            if fragment.type_condition.name.value != type_name:
                continue
            inner_set = rewrite(
                remote, type_name, fragment.selection_set.selections, fragments, local_entities
            )
            out.append(
                InlineFragmentNode(type_condition=None, directives=sel.directives, selection_set=inner_set)
            )
    if is_stub:
        present = {s.name.value for s in out if isinstance(s, FieldNode) and s.alias is None}
        out.extend(
            FieldNode(name=NameNode(value=k), arguments=(), directives=()) for k in keys if k not in present
        )
    if not out:
        out.append(FieldNode(name=NameNode(value="__typename"), arguments=(), directives=()))
    return SelectionSetNode(selections=tuple(out))


def variables_in(node: Any) -> set[str]:
    found: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            found.add(variable.name.value)

    visit(node, Collect())
    return found


_SCALARS: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str, int),
    "Int": (int,),
    "Float": (int, float),
    "Boolean": (bool,),
}


def check(value: Any, gtype: Any, selection: SelectionSetNode | None, remote: Remote, where: str) -> Any:
    """``value`` as asked for: right types, only the keys asked; else :class:`BadAnswer`."""
    if isinstance(gtype, GraphQLNonNull):
        if value is None:
            raise BadAnswer(f"{where} is null, but the subgraph declares it non-null")
        return check(value, gtype.of_type, selection, remote, where)
    if value is None:
        return None
    if isinstance(gtype, GraphQLList):
        if not isinstance(value, list):
            raise BadAnswer(f"{where} is not a list")
        return [check(v, gtype.of_type, selection, remote, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(gtype, GraphQLScalarType):
        allowed = _SCALARS.get(gtype.name)
        if allowed is not None:
            if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
                raise BadAnswer(f"{where} is not a {gtype.name}")
            if gtype.name == "Int" and not -(2**31) <= value < 2**31:  # type: ignore[operator]
                raise BadAnswer(f"{where} is out of the Int range")
        elif isinstance(value, (list, dict)):
            raise BadAnswer(f"{where} is not a {gtype.name}")
        return value
    if isinstance(gtype, GraphQLEnumType):
        if not isinstance(value, str) or value not in gtype.values:
            raise BadAnswer(f"{where} is not a {gtype.name} value")
        return value
    if isinstance(gtype, GraphQLObjectType):
        if not isinstance(value, dict):
            raise BadAnswer(f"{where} is not an object")
        out: dict[str, Any] = {}
        _check_fields(value, gtype, selection, remote, where, out)
        return out
    raise BadAnswer(f"{where}: unexpected type {gtype}")


def _check_fields(
    value: dict[str, Any],
    gtype: GraphQLObjectType,
    selection: SelectionSetNode | None,
    remote: Remote,
    where: str,
    out: dict[str, Any],
) -> None:
    for sel in selection.selections if selection is not None else ():
        if isinstance(sel, InlineFragmentNode):
            _check_fields(value, gtype, sel.selection_set, remote, where, out)
            continue
        if not isinstance(sel, FieldNode):
            continue
        key = sel.alias.value if sel.alias else sel.name.value
        if key not in value:
            if sel.directives:
                continue  # @skip / @include decided by the subgraph
            raise BadAnswer(f"{where}.{key} is missing")
        if sel.name.value == "__typename":
            if value[key] != gtype.name:
                raise BadAnswer(f"{where}.__typename is not {gtype.name}")
            out[key] = value[key]
            continue
        out[key] = check(
            value[key], gtype.fields[sel.name.value].type, sel.selection_set, remote, f"{where}.{key}"
        )
