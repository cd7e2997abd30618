"""Composing remote subgraphs with the local graph, at start-up.

After the Strawberry schema is built, the remote types and fields are added to
its graphql-core schema with ``extend_schema``, and each new field is given a
resolver (see :mod:`plugins.subgraphs.resolvers`). Who owns what is kept in
:class:`Ownership` for execution, the query plan and ``karmayogi subgraphs check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    NameNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    extend_schema,
    print_ast,
)

from plugins.subgraphs.remote import Remote
from schema.errors import StartupError
from schema.federation import keys_of

BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


@dataclass
class Ownership:
    """Who resolves what in the composed graph."""

    remotes: dict[str, Remote] = field(default_factory=dict)
    fields: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, field) -> subgraph
    remote_types: dict[str, str] = field(default_factory=dict)  # type only a subgraph defines -> it
    local_entities: dict[str, list[str]] = field(default_factory=dict)  # local entity -> key fields
    entity_classes: dict[str, type] = field(default_factory=dict)

    def owner(self, type_name: str, field_name: str) -> str | None:
        """The subgraph resolving ``type_name.field_name``; ``None``: the gateway."""
        return self.fields.get((type_name, field_name))


def local_entities(strawberry_schema: Any, schema: GraphQLSchema) -> dict[str, tuple[list[str], type]]:
    found: dict[str, tuple[list[str], type]] = {}
    for name in schema.type_map:
        definition = strawberry_schema.get_type_by_name(name)
        cls = getattr(definition, "origin", None)
        if cls is None:
            continue
        keys = keys_of(cls)
        if keys and hasattr(cls, "resolve_reference"):
            found[name] = (keys[0].split(), cls)
    return found


def _type_text(schema: GraphQLSchema, type_name: str, field_name: str) -> str:
    t = schema.type_map[type_name]
    return str(t.fields[field_name].type)  # type: ignore[attr-defined]


def plan_extension(
    strawberry_schema: Any, schema: GraphQLSchema, remotes: list[Remote]
) -> tuple[DocumentNode, Ownership]:
    """The SDL that adds every remote type and field, and who owns each; stops
    start-up on a clash, naming the subgraph, the type and the field."""
    own = Ownership(remotes={r.name: r for r in remotes})
    entities = local_entities(strawberry_schema, schema)
    own.local_entities = {n: k for n, (k, _) in entities.items()}
    own.entity_classes = {n: c for n, (_, c) in entities.items()}
    definitions: list[Any] = []
    for remote in remotes:
        where = f"Subgraph {remote.name!r}"
        for name, node in remote.definitions.items():
            local = schema.type_map.get(name)
            if local is None:
                previous = own.remote_types.get(name)
                if previous is not None:
                    raise StartupError(
                        f"{where}: type {name!r} is also defined by subgraph {previous!r}; "
                        "only one subgraph may define a type."
                    )
                own.remote_types[name] = remote.name
                definitions.append(node)
                if isinstance(node, ObjectTypeDefinitionNode):
                    for f in node.fields or ():
                        own.fields[(name, f.name.value)] = remote.name
                continue
            if name == "Query" or (isinstance(local, GraphQLObjectType) and name in entities):
                added = []
                keys = entities[name][0] if name in entities else []
                if name in entities and remote.keys.get(name) != keys:
                    raise StartupError(
                        f"{where}: type {name!r}: its @key {remote.keys.get(name)} is not the "
                        f'gateway\'s {keys}; extend the entity by @key(fields: "{" ".join(keys)}").'
                    )
                for f in node.fields or ():  # type: ignore[attr-defined]
                    fname = f.name.value
                    if fname in local.fields:  # type: ignore[attr-defined]
                        allowed = (
                            fname in keys
                            or (name, fname) in remote.external
                            or (name, fname) in remote.shareable
                        )
                        if not allowed or name == "Query":
                            raise StartupError(
                                f"{where}: field {name}.{fname} is already resolved by the gateway; "
                                "rename it, or mark it @external."
                            )
                        ours = _type_text(schema, name, fname)
                        theirs = str(remote.schema.type_map[name].fields[fname].type)  # type: ignore[attr-defined]
                        if ours != theirs:
                            raise StartupError(
                                f"{where}: field {name}.{fname} is {theirs} there but {ours} in the gateway."
                            )
                        continue
                    if name != "Query" and (name, fname) in remote.external:
                        raise StartupError(
                            f"{where}: field {name}.{fname} is @external but the gateway lacks it."
                        )
                    previous = own.fields.get((name, fname))
                    if previous is not None:
                        raise StartupError(
                            f"{where}: field {name}.{fname} is also resolved by subgraph {previous!r}."
                        )
                    own.fields[(name, fname)] = remote.name
                    added.append(_nullable(f))
                if added:
                    definitions.append(
                        ObjectTypeExtensionNode(
                            name=NameNode(value=name), interfaces=(), directives=(), fields=tuple(added)
                        )
                    )
                continue
            _check_same(where, name, node, local)
    return DocumentNode(definitions=tuple(definitions)), own


def _nullable(node: FieldDefinitionNode) -> FieldDefinitionNode:
    """A field where the gateway calls a subgraph may always come back null (the
    subgraph is down, or serves another state): its outer non-null is dropped."""
    if not isinstance(node.type, NonNullTypeNode):
        return node
    return FieldDefinitionNode(
        name=node.name,
        description=node.description,
        arguments=node.arguments,
        type=node.type.type,
        directives=(),
    )


def _check_same(where: str, name: str, node: Any, local: Any) -> None:
    """A type both sides define that is not an entity must be the same value type."""
    if isinstance(node, ScalarTypeDefinitionNode) and isinstance(local, GraphQLScalarType):
        return
    if isinstance(node, EnumTypeDefinitionNode) and isinstance(local, GraphQLEnumType):
        theirs = {v.name.value for v in node.values or ()}
        if theirs <= set(local.values):
            return
        extra = ", ".join(sorted(theirs - set(local.values)))
        raise StartupError(f"{where}: enum {name!r} has values the gateway's lacks: {extra}.")
    if isinstance(node, (InputObjectTypeDefinitionNode, ObjectTypeDefinitionNode)) and isinstance(
        local, (GraphQLInputObjectType, GraphQLObjectType)
    ):
        for f in node.fields or ():
            fname = f.name.value
            their_type = print_ast(f.type)
            ours = str(local.fields[fname].type) if fname in local.fields else None
            if ours != their_type:
                raise StartupError(
                    f"{where}: field {name}.{fname} ({their_type}) clashes with the gateway's type {name!r}, "
                    "which is not an entity; rename the type or make it an entity with @key."
                )
        return
    raise StartupError(f"{where}: type {name!r} clashes with the gateway's {type(local).__name__}.")


def extend(
    strawberry_schema: Any, schema: GraphQLSchema, remotes: list[Remote]
) -> tuple[GraphQLSchema, Ownership]:
    document, own = plan_extension(strawberry_schema, schema, remotes)
    if not document.definitions:
        return schema, own
    try:
        extended = extend_schema(schema, document)
    except (TypeError, Exception) as exc:
        raise StartupError(f"Remote subgraphs do not compose with the gateway: {exc}") from exc
    _keep_enum_conversions(schema, extended)
    return extended, own


def _keep_enum_conversions(before: GraphQLSchema, after: GraphQLSchema) -> None:
    """``extend_schema`` rebuilds every type as a plain graphql-core type; an
    enum then loses Strawberry's conversion between its names and the Python
    enum members resolvers return and default values hold. Give each rebuilt
    enum its original class and Python enum back (values are unchanged)."""
    for name, original in before.type_map.items():
        rebuilt = after.type_map.get(name)
        wrapped = getattr(original, "wrapped_cls", None)
        if wrapped is None or rebuilt is None or type(rebuilt) is type(original):
            continue
        if isinstance(original, GraphQLEnumType) and isinstance(rebuilt, GraphQLEnumType):
            rebuilt.__class__ = type(original)
            rebuilt.wrapped_cls = wrapped  # type: ignore[attr-defined]
