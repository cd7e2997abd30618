"""A remote subgraph's SDL: where it comes from, what it declares, what we support.

Supported Federation 2 directives: ``@key`` (field sets of top-level fields;
``resolvable: false`` for stubs of our entities), ``@external``,
``@shareable``, ``@extends``, ``@tag`` and ``@link``. Anything else
(``@requires``, ``@provides``, ``@override``, ``@interfaceObject``, custom
directives) stops start-up naming the subgraph, the type and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    parse,
)

from plugins.subgraphs.settings import SubgraphSettings
from schema.errors import StartupError

SUPPORTED = frozenset({"key", "external", "shareable", "extends", "tag", "link"})
FEDERATION_NAMES = frozenset({"_Any", "_Entity", "_Service", "FieldSet", "federation__FieldSet", "_FieldSet"})
ROOTS = ("Query", "Mutation", "Subscription")


@dataclass
class Remote:
    """One remote subgraph, parsed and checked."""

    settings: SubgraphSettings
    sdl: str
    schema: GraphQLSchema  # federation machinery removed: to rewrite selections and check answers
    definitions: dict[str, object]  # type name -> its (merged) definition node, directives removed
    keys: dict[str, list[str]] = field(default_factory=dict)  # entity -> key fields (first key)
    stubs: set[str] = field(default_factory=set)  # types with only `resolvable: false` keys
    external: set[tuple[str, str]] = field(default_factory=set)
    shareable: set[tuple[str, str]] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.settings.name

    def owns(self, type_name: str, field_name: str) -> bool:
        """Whether the subgraph resolves ``type_name.field_name`` itself."""
        return (type_name, field_name) not in self.external and field_name in self.field_names(type_name)

    def field_names(self, type_name: str) -> set[str]:
        t = self.schema.type_map.get(type_name)
        return set(getattr(t, "fields", {}) or {})


def fetch_sdl(settings: SubgraphSettings) -> str:
    """The SDL: the pinned file, or ``_service { sdl }`` asked now."""
    if settings.sdl_file is not None:
        path = Path(settings.sdl_file)
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StartupError(
                f"Subgraph {settings.name!r}: cannot read its pinned SDL {str(path)!r} ({exc.strerror})."
            ) from None
    return ask_sdl(settings)


def ask_sdl(settings: SubgraphSettings) -> str:
    timeout = httpx.Timeout(settings.read_timeout_seconds * 3, connect=settings.connect_timeout_seconds)
    try:
        response = httpx.post(settings.url, json={"query": "{ _service { sdl } }"}, timeout=timeout)
        body = response.json()
        sdl = body["data"]["_service"]["sdl"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise StartupError(
            f"Subgraph {settings.name!r}: cannot read `_service {{ sdl }}` at {settings.url} "
            f"({type(exc).__name__}); start it, or pin its SDL with sdl_file."
        ) from None
    if not isinstance(sdl, str):
        raise StartupError(f"Subgraph {settings.name!r}: `_service {{ sdl }}` is not a string.")
    return sdl


def _string_arg(directive: DirectiveNode, name: str) -> str | None:
    for arg in directive.arguments or ():
        if arg.name.value == name and isinstance(arg.value, StringValueNode):
            return arg.value.value
    return None


def _bool_arg(directive: DirectiveNode, name: str, default: bool) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == name and isinstance(arg.value, BooleanValueNode):
            return arg.value.value
    return default


def _directive_name(node: DirectiveNode) -> str:
    name = node.name.value
    return name.removeprefix("federation__")


def analyse(settings: SubgraphSettings, sdl: str) -> Remote:
    """Parse and check ``sdl``; stop start-up naming subgraph, type and field."""
    where = f"Subgraph {settings.name!r}"
    try:
        document = parse(sdl)
    except GraphQLError as exc:
        raise StartupError(f"{where}: its SDL does not parse: {exc.message}") from None
    merged: dict[str, object] = {}
    keys: dict[str, list[str]] = {}
    stubs: set[str] = set()
    external: set[tuple[str, str]] = set()
    shareable: set[tuple[str, str]] = set()
    for node in document.definitions:
        if isinstance(node, (DirectiveDefinitionNode, SchemaDefinitionNode, SchemaExtensionNode)):
            continue
        name = node.name.value  # type: ignore[attr-defined]
        if name in FEDERATION_NAMES or name.startswith(("link__", "federation__", "__")):
            continue
        if isinstance(
            node,
            (
                InterfaceTypeDefinitionNode,
                InterfaceTypeExtensionNode,
                UnionTypeDefinitionNode,
                UnionTypeExtensionNode,
            ),
        ):
            raise StartupError(f"{where}: type {name!r}: interfaces and unions are not supported yet.")
        type_keys: list[tuple[str, bool]] = []
        for directive in getattr(node, "directives", None) or ():
            dname = _directive_name(directive)
            if dname not in SUPPORTED:
                raise StartupError(f"{where}: type {name!r}: directive @{dname} is not supported.")
            if dname == "key":
                fields = _string_arg(directive, "fields") or ""
                if "{" in fields:
                    raise StartupError(f"{where}: type {name!r}: nested @key field sets are not supported.")
                type_keys.append((fields, _bool_arg(directive, "resolvable", True)))
        if type_keys:
            resolvable = [f for f, r in type_keys if r]
            keys[name] = (resolvable or [type_keys[0][0]])[0].split()
            if not resolvable:
                stubs.add(name)
        fields_out = []
        for f in getattr(node, "fields", None) or ():
            fname = f.name.value
            if name in ROOTS and fname.startswith("_"):
                continue  # _service, _entities
            for directive in f.directives or ():
                dname = _directive_name(directive)
                if dname not in SUPPORTED or dname in ("key", "link", "extends"):
                    raise StartupError(f"{where}: field {name}.{fname}: directive @{dname} is not supported.")
                if dname == "external":
                    external.add((name, fname))
                if dname == "shareable":
                    shareable.add((name, fname))
            for arg in getattr(f, "arguments", None) or ():
                if arg.directives:
                    raise StartupError(
                        f"{where}: field {name}.{fname}: directives on arguments are not supported."
                    )
            fields_out.append(_strip_field(f) if isinstance(f, FieldDefinitionNode) else f)
        if isinstance(node, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode)):
            if any(_directive_name(d) == "shareable" for d in node.directives or ()):
                shareable.update((name, f.name.value) for f in fields_out)
            previous = merged.get(name)
            earlier = list(getattr(previous, "fields", ()) or ()) if previous is not None else []
            merged[name] = ObjectTypeDefinitionNode(
                name=node.name,
                description=getattr(node, "description", None),
                interfaces=(),
                directives=(),
                fields=tuple(earlier + fields_out),
            )
        elif isinstance(node, (EnumTypeDefinitionNode, EnumTypeExtensionNode)):
            merged[name] = EnumTypeDefinitionNode(
                name=node.name,
                description=getattr(node, "description", None),
                directives=(),
                values=node.values,
            )
        elif isinstance(node, ScalarTypeDefinitionNode):
            merged[name] = ScalarTypeDefinitionNode(
                name=node.name, description=node.description, directives=()
            )
        elif isinstance(node, InputObjectTypeDefinitionNode):
            merged[name] = InputObjectTypeDefinitionNode(
                name=node.name, description=node.description, directives=(), fields=node.fields
            )
        else:
            raise StartupError(f"{where}: type {name!r}: {type(node).__name__} is not supported.")
    for type_name, fname in external:
        if type_name not in keys:
            raise StartupError(f"{where}: field {type_name}.{fname}: @external outside an entity.")
    for root in ("Mutation", "Subscription"):
        if root in merged:
            raise StartupError(f"{where}: type {root!r}: only Query root fields are supported yet.")
    try:
        schema = build_ast_schema(DocumentNode(definitions=tuple(merged.values())))  # type: ignore[arg-type]
    except (GraphQLError, TypeError) as exc:
        raise StartupError(f"{where}: its SDL is not a valid schema: {exc}") from None
    probe = Remote(settings, sdl, schema, merged)
    for entity, key_fields in keys.items():
        missing = [f for f in key_fields if f not in probe.field_names(entity)]
        if missing:
            raise StartupError(f"{where}: type {entity!r}: @key names {', '.join(missing)}, which it lacks.")
    return Remote(settings, sdl, schema, merged, keys, stubs, external, shareable)


def _strip_field(node: FieldDefinitionNode) -> FieldDefinitionNode:
    return FieldDefinitionNode(
        name=node.name,
        description=node.description,
        arguments=node.arguments,
        type=node.type,
        directives=(),
    )


def load(settings: SubgraphSettings) -> Remote:
    return analyse(settings, fetch_sdl(settings))
