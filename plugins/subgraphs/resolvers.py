"""Resolvers of the fields the subgraphs own, set on the composed schema."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLObjectType, GraphQLSchema, get_named_type, is_composite_type, print_ast

from plugins.subgraphs.runtime import Answer, Ask, Runtime, json_variables
from plugins.subgraphs.selection import rewrite, variables_in

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo

    Info = GraphQLResolveInfo[Any]

    from plugins.subgraphs.remote import Remote


def _field_text(runtime: Runtime, remote: Remote, parent: str, info: Info) -> tuple[str, str]:
    """The field as the subgraph is asked it (no alias), and its variables (JSON)."""
    first = info.field_nodes[0]
    gtype = remote.schema.type_map[parent].fields[info.field_name].type  # type: ignore[attr-defined]
    sub = None
    if is_composite_type(get_named_type(gtype)):
        selections = [
            s
            for node in info.field_nodes
            for s in (node.selection_set.selections if node.selection_set else ())
        ]
        sub = rewrite(
            remote, get_named_type(gtype).name, selections, dict(info.fragments), runtime.own.local_entities
        )
    node = FieldNode(name=first.name, arguments=first.arguments, directives=(), selection_set=sub)
    return print_ast(node), json_variables(info, variables_in(node))


def _localiser(runtime: Runtime, gtype: Any) -> Any:
    """For a field whose type is one of our entities: turns the keys the subgraph
    gave into the gateway's objects; else ``None``."""
    named = get_named_type(gtype).name
    if named not in runtime.own.local_entities:
        return None
    cls = runtime.own.entity_classes[named]
    keys = runtime.own.local_entities[named]

    async def build(value: Any, info: Info) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return await asyncio.gather(*(build(v, info) for v in value))
        return await cls.resolve_reference(info=info, **{k: value[k] for k in keys})  # type: ignore[attr-defined]

    return build


def entity_field(runtime: Runtime, remote: Remote, type_name: str, gtype: Any) -> Any:
    keys = runtime.own.local_entities[type_name]
    localise = _localiser(runtime, gtype)

    async def resolve(root: Any, info: Info, **_: Any) -> Any:
        ctx = info.context
        learner_id = getattr(root, "id", None) if type_name == "Learner" else None
        if not await runtime.reaches(ctx, remote, learner_id):
            return None
        representation = {"__typename": type_name, **{k: getattr(root, k) for k in keys}}
        text, variables = _field_text(runtime, remote, type_name, info)
        ask = Ask(
            "entity", text, type_name, variables, json.dumps(representation, sort_keys=True, default=str)
        )
        answer: Answer = await runtime.loader(ctx, remote).load(ask)
        value = runtime.deliver(answer, info, remote)
        return await localise(value, info) if localise is not None else value

    return resolve


def root_field(runtime: Runtime, remote: Remote, gtype: Any) -> Any:
    localise = _localiser(runtime, gtype)

    async def resolve(root: Any, info: Info, **_: Any) -> Any:
        ctx = info.context
        if not await runtime.reaches(ctx, remote, None):
            return None
        text, variables = _field_text(runtime, remote, "Query", info)
        answer: Answer = await runtime.loader(ctx, remote).load(Ask("root", text, "", variables))
        value = runtime.deliver(answer, info, remote)
        return await localise(value, info) if localise is not None else value

    return resolve


def by_response_key(root: Any, info: Info, **_: Any) -> Any:
    """A field of a subgraph's own type: already in the answer, under the client's key."""
    return root.get(info.path.key) if isinstance(root, dict) else None


def local_entity(runtime: Runtime, gtype: Any) -> Any:
    """A field of a subgraph's type whose value is one of our entities: the
    subgraph gave its key; the gateway loads the rest (with its own authorisation)."""
    build = _localiser(runtime, gtype)

    async def resolve(root: Any, info: Info, **_: Any) -> Any:
        return await build(root.get(info.path.key) if isinstance(root, dict) else None, info)

    return resolve


def attach(schema: GraphQLSchema, runtime: Runtime) -> None:
    own = runtime.own
    for (type_name, field_name), owner in own.fields.items():
        remote = own.remotes[owner]
        gfield = schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
        if type_name == "Query":
            gfield.resolve = root_field(runtime, remote, gfield.type)
        elif type_name in own.local_entities:
            gfield.resolve = entity_field(runtime, remote, type_name, gfield.type)
        else:
            named = get_named_type(gfield.type).name
            gfield.resolve = (
                local_entity(runtime, gfield.type) if named in own.local_entities else by_response_key
            )
    for type_name in own.remote_types:
        t = schema.type_map[type_name]
        if isinstance(t, GraphQLObjectType):
            for gfield in t.fields.values():
                if gfield.resolve is None:
                    named = get_named_type(gfield.type).name
                    gfield.resolve = (
                        local_entity(runtime, gfield.type) if named in own.local_entities else by_response_key
                    )
