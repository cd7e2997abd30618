"""The query plan: which service resolves which fields, in which waves, with
how many requests (``karmayogi plan``, GraphiQL's response extensions, and the
fan-out limit, all from this one walk).

A *wave* is a hop from the gateway to a subgraph: a remote field under a
gateway object starts wave ``n + 1`` where ``n`` is the number of hops above
it. Fields of one subgraph in one wave travel in one request (see
:mod:`plugins.subgraphs.batcher`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    get_named_type,
    get_operation_ast,
)

if TYPE_CHECKING:
    from plugins.subgraphs.compose import Ownership

GATEWAY = "gateway"


@dataclass
class Plan:
    requests: dict[tuple[int, str], list[str]] = field(default_factory=dict)  # (wave, subgraph) -> paths
    services: dict[str, list[str]] = field(default_factory=dict)  # service -> paths it resolves

    @property
    def request_count(self) -> int:
        return len(self.requests)

    def as_dict(self) -> dict[str, Any]:
        waves: dict[int, list[dict[str, Any]]] = {}
        for (wave, subgraph), paths in sorted(self.requests.items()):
            waves.setdefault(wave, []).append({"subgraph": subgraph, "fields": paths})
        return {
            "requests": self.request_count,
            "waves": [{"wave": w, "requests": reqs} for w, reqs in sorted(waves.items())],
            "services": {s: paths for s, paths in sorted(self.services.items())},
        }

    def text(self) -> str:
        lines = [f"{self.request_count} subgraph request(s)"]
        for wave in self.as_dict()["waves"]:
            lines.append(f"wave {wave['wave']}:")
            for req in wave["requests"]:
                lines.append(f"  1 request to {req['subgraph']}: " + ", ".join(req["fields"]))
        lines.append("who resolves what:")
        for service, paths in sorted(self.services.items()):
            lines.append(f"  {service}: " + ", ".join(paths))
        return "\n".join(lines)


def plan(
    schema: GraphQLSchema, own: Ownership, document: DocumentNode, operation_name: str | None = None
) -> Plan:
    operation = get_operation_ast(document, operation_name)
    result = Plan()
    if operation is None or not own.remotes:
        return result
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    if root is None:
        return result

    def walk(selections: Any, parent: Any, serving: str, wave: int, path: str) -> None:
        for sel in selections:
            if isinstance(sel, InlineFragmentNode):
                cond = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                walk(sel.selection_set.selections, cond, serving, wave, path)
                continue
            if isinstance(sel, FragmentSpreadNode):
                fragment = fragments.get(sel.name.value)
                if fragment is not None:
                    cond = schema.get_type(fragment.type_condition.name.value)
                    walk(fragment.selection_set.selections, cond, serving, wave, path)
                continue
            if not isinstance(sel, FieldNode) or sel.name.value.startswith("__"):
                continue
            if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
                continue
            gfield = parent.fields.get(sel.name.value)
            if gfield is None:
                continue
            key = sel.alias.value if sel.alias else sel.name.value
            here = f"{path}.{key}" if path else key
            owner = own.owner(parent.name, sel.name.value) or GATEWAY
            child_wave = wave
            if owner != GATEWAY and owner != serving:
                child_wave = wave + 1
                result.requests.setdefault((child_wave, owner), []).append(here)
            result.services.setdefault(owner, []).append(here)
            if sel.selection_set is None:
                continue
            named = get_named_type(gfield.type)
            child_serving = owner if named.name in own.remote_types else GATEWAY
            walk(sel.selection_set.selections, named, child_serving, child_wave, here)

    walk(operation.selection_set.selections, root, GATEWAY, 0, "")
    return result
