"""Composes one Strawberry schema from every plugin's ``SchemaContribution``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import DirectiveLocation, GraphQLDirective, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.federation import Schema as FederationSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.contribution import SchemaContribution
from schema.errors import GatewayError, StartupError
from schema.federation import missing_reference_resolvers
from schema.scalars import SCALAR_OVERRIDES

if TYPE_CHECKING:
    from graphql import GraphQLError
    from strawberry.types import ExecutionContext


log = logging.getLogger("schema.errors")

_NAMES = StrawberryConfig().name_converter
ExtensionSpec = type[SchemaExtension] | Callable[[], SchemaExtension]


class ComposedSchema(FederationSchema):
    """A federation-ready schema whose types gain the fields plugins contribute.

    Strawberry asks ``get_fields`` for each object type while converting it;
    contributed fields are appended there, so the owning type's class is never
    mutated and each app composes its own schema.
    """

    def __init__(
        self, *args: Any, extra_fields: Mapping[str, Sequence[StrawberryField]], **kwargs: Any
    ) -> None:
        self._extra_fields = {name: list(fields) for name, fields in extra_fields.items()}
        super().__init__(*args, **kwargs)

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        return [*type_definition.fields, *self._extra_fields.get(type_definition.name, [])]

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if isinstance(error.original_error, GatewayError) or not error.path:
                continue  # expected: the client is told, nothing to log
            log.error(
                "resolver failed: %s",
                error.message,
                exc_info=error.original_error,
                extra={"path": error.path},
            )


@strawberry.type(description="The root of every read.")
class Query:
    pass


@strawberry.type(description="The root of every change.")
class Mutation:
    pass


@strawberry.type(description="Live updates for the signed-in learner.")
class Subscription:
    pass


@dataclass
class Composition:
    """What the composer gathered, with owners, for errors and ``karmayogi plugins``."""

    types: dict[str, tuple[str, type]] = field(default_factory=dict)
    fields: dict[tuple[str, str], str] = field(default_factory=dict)
    extra_fields: dict[str, list[StrawberryField]] = field(default_factory=dict)
    extensions: list[ExtensionSpec] = field(default_factory=list)
    transforms: list[tuple[str, Callable[[Any, Any], Any]]] = field(default_factory=list)


def _type_name(cls: type) -> str:
    definition = getattr(cls, "__strawberry_definition__", None)
    if definition is None or not hasattr(definition, "name"):
        raise StartupError(f"{cls!r} is not a Strawberry type")
    return str(definition.name)


def _field_name(f: StrawberryField) -> str:
    if f.graphql_name:
        return f.graphql_name
    return _NAMES.get_graphql_name(f)


def _own_fields(cls: type) -> Iterable[str]:
    definition = getattr(cls, "__strawberry_definition__", None)
    for f in getattr(definition, "fields", []) or []:
        yield _field_name(f)


def gather(contributions: list[tuple[str, SchemaContribution]]) -> Composition:
    """Collect contributions, stopping at the first clash with both owners named."""
    comp = Composition()
    for plugin, contrib in contributions:
        if not isinstance(contrib, SchemaContribution):
            raise StartupError(
                f"Plugin {plugin!r}: register_schema must return a SchemaContribution, "
                f"not {type(contrib).__name__}."
            )
        for cls in contrib.types:
            name = _type_name(cls)
            owner = comp.types.get(name)
            if owner is not None and owner[1] is not cls:
                raise StartupError(
                    f"Plugins {owner[0]!r} and {plugin!r} both define the GraphQL type {name!r}; "
                    "rename one or extend the other's type with type_fields."
                )
            comp.types[name] = (plugin, cls)
            for fname in _own_fields(cls):
                comp.fields.setdefault((name, fname), plugin)
    for plugin, contrib in contributions:
        roots = {
            "Query": contrib.query,
            "Mutation": contrib.mutation,
            "Subscription": contrib.subscription,
        }
        for type_name, fields in [*roots.items(), *contrib.type_fields.items()]:
            for f in fields:
                fname = _field_name(f)
                owner_name = comp.fields.get((type_name, fname))
                if owner_name is not None:
                    raise StartupError(
                        f"Plugins {owner_name!r} and {plugin!r} both contribute the field "
                        f"{type_name}.{fname}; only one plugin may own a field."
                    )
                comp.fields[(type_name, fname)] = plugin
                comp.extra_fields.setdefault(type_name, []).append(f)
        comp.extensions.extend(contrib.extensions)
        comp.transforms.extend((plugin, t) for t in contrib.schema_transforms)
    for type_name in comp.extra_fields:
        if type_name not in {"Query", "Mutation", "Subscription"} and type_name not in comp.types:
            owners = sorted({p for (t, _), p in comp.fields.items() if t == type_name})
            raise StartupError(
                f"Plugin(s) {', '.join(map(repr, owners))} add fields to {type_name!r}, "
                "which no enabled plugin defines."
            )
    return comp


def compose(
    contributions: list[tuple[str, SchemaContribution]],
    *,
    core_extensions: Sequence[ExtensionSpec] = (),
) -> tuple[ComposedSchema, Composition]:
    comp = gather(contributions)
    has_mutations = bool(comp.extra_fields.get("Mutation"))
    has_subscriptions = bool(comp.extra_fields.get("Subscription"))
    try:
        schema = ComposedSchema(
            query=Query,
            mutation=Mutation if has_mutations else None,
            subscription=Subscription if has_subscriptions else None,
            types=[cls for _, cls in comp.types.values()],
            extensions=[*core_extensions, *comp.extensions],
            scalar_overrides=SCALAR_OVERRIDES,
            extra_fields=comp.extra_fields,
        )
    except StartupError:
        raise
    except Exception as exc:
        raise StartupError(f"The composed schema is invalid: {exc}") from exc
    for plugin, transform in comp.transforms:
        try:
            extended = transform(schema, schema._schema)
        except StartupError:
            raise
        except Exception as exc:
            raise StartupError(f"Plugin {plugin!r}: its schema transform failed: {exc}") from exc
        extended._strawberry_schema = schema  # as Strawberry does for a sorted schema
        schema._schema = extended
    _deprecated_for_graphql_js_16(schema._schema)
    missing = missing_reference_resolvers(comp.types.values())
    if missing:
        raise StartupError(
            f"Federation entity type(s) {', '.join(missing)} declare @key but no "
            "resolve_reference; add `resolve_reference = entity_reference(batch)` "
            "(schema/federation.py, docs/federation.md)."
        )
    return schema, comp


def _deprecated_for_graphql_js_16(schema: GraphQLSchema) -> None:
    """Introspection must not list ``DIRECTIVE_DEFINITION`` among @deprecated's
    locations (graphql-core 3.3 adds it from a draft of the spec): graphql-js 16,
    which GraphiQL, graphql-codegen and most frontends run, refuses the whole
    schema over it. Nothing here deprecates a directive."""
    deprecated = schema.get_directive("deprecated")
    if deprecated is None or DirectiveLocation.DIRECTIVE_DEFINITION not in deprecated.locations:
        return
    kept = [loc for loc in deprecated.locations if loc is not DirectiveLocation.DIRECTIVE_DEFINITION]
    narrowed = GraphQLDirective(
        deprecated.name,
        kept,
        args=deprecated.args,
        is_repeatable=deprecated.is_repeatable,
        description=deprecated.description,
    )
    schema.directives = tuple(narrowed if d is deprecated else d for d in schema.directives)
