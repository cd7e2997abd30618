"""The schema as plain SDL, for a frontend's code generator.

``karmayogi schema`` prints this: the composed schema without the Apollo
Federation machinery (``@link``, ``@key`` and the ``_service``/``_entities``
fields and their types), which graphql-core's ``build_schema``,
graphql-codegen and graphql-inspector read as it is. The subgraph SDL for a
federation router is ``karmayogi schema --federation``.
"""

from __future__ import annotations

from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    is_specified_directive,
    print_schema,
)

FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "link__Import", "link__Purpose"})
FEDERATION_FIELDS = frozenset({"_service", "_entities"})


def _without_federation_fields(type_: GraphQLObjectType) -> GraphQLObjectType:
    fields = {name: f for name, f in type_.fields.items() if name not in FEDERATION_FIELDS}
    return GraphQLObjectType(
        type_.name, fields=fields, interfaces=type_.interfaces, description=type_.description
    )


def plain_sdl(schema: GraphQLSchema) -> str:
    """``schema`` printed as plain GraphQL SDL (no federation directives or types)."""
    assert schema.query_type is not None
    query = _without_federation_fields(schema.query_type)
    roots = {schema.query_type.name, getattr(schema.mutation_type, "name", None)}
    roots.add(getattr(schema.subscription_type, "name", None))
    types = [
        t
        for name, t in schema.type_map.items()
        if not name.startswith("__") and name not in FEDERATION_TYPES and name not in roots
    ]
    directives = [d for d in schema.directives if is_specified_directive(d)]
    plain = GraphQLSchema(
        query=query,
        mutation=schema.mutation_type,
        subscription=schema.subscription_type,
        types=types,
        directives=directives,
        description=schema.description,
    )
    return print_schema(plain)
