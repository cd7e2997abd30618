"""The catalogue plugin: ``courses``, ``course``, ``providers`` and
``collections``, one graph over every content provider.

Gathering providers and collections, routing course ids to their provider
(``node``, ``_entities``) and measuring provider calls are the kernel's
(``gateway.catalogue``); this plugin is the catalogue's GraphQL surface and its
``karmayogi catalogue`` commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.api import hookimpl
from plugins.catalogue import graphql as catalogue_graphql
from schema.cache import CATALOGUE, DIRECTORY
from schema.content import (
    Collection,
    Course,
    CourseConnection,
    CourseEdge,
    CourseFacets,
    CourseUnit,
    FacetCount,
    Provider,
    Question,
    Quiz,
    Resource,
)
from schema.contribution import SchemaContribution

if TYPE_CHECKING:
    import typer

    from schema.context import GatewayView


@hookimpl
def register_schema(gateway: GatewayView) -> SchemaContribution:
    return SchemaContribution(
        types=[
            Provider,
            Course,
            CourseUnit,
            Resource,
            Quiz,
            Question,
            CourseEdge,
            CourseConnection,
            CourseFacets,
            FacetCount,
            Collection,
        ],
        query=catalogue_graphql.QUERY_FIELDS,
    )


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from plugins.catalogue.commands import add_commands

    add_commands(cli)


@hookimpl
def register_cache_dependencies(gateway: GatewayView) -> dict[str, list[str]]:
    # Which courses a learner sees follows their organisation (state modules):
    # every signed-in answer reads the caller's own scope as well.
    return {
        f"Query.{name}": [CATALOGUE, DIRECTORY] for name in ("courses", "course", "providers", "collections")
    }
