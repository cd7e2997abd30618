"""The catalogue, a built-in plugin registered right after the core (it cannot
be blocked): ``courses``, ``course``, ``providers``, ``collections`` and the
``node`` ids of every provider's courses and of collections."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from gateway.catalogue import graphql as catalogue_graphql
from gateway.catalogue import service
from gateway.catalogue.loaders import courses_by_id
from gateway.hookspecs import hookimpl
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
from schema.contribution import NodeResolver, SchemaContribution
from schema.providers import CollectionRecord

if TYPE_CHECKING:
    import typer

    from gateway.context import RequestContext
    from gateway.host import Gateway

log = logging.getLogger("gateway.catalogue")
COLLECTIONS = "catalogue.collections"
COLLECTION_OWNERS = "catalogue.collection_owners"


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution:
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


async def _course(ctx: RequestContext, node_id: str) -> Any:
    if not await ctx.gateway.states.course_reaches_principal(ctx, node_id):
        return None  # a state module's course, outside its states
    record = await ctx.load(courses_by_id, node_id)
    return Course.of(record) if record is not None else None


async def _collection(ctx: RequestContext, node_id: str) -> Any:
    for record in await service.all_collections(ctx):
        if record.id == node_id:
            return Collection.of(record)
    return None


@hookimpl
def register_node_resolvers(gateway: Gateway) -> dict[str, NodeResolver]:
    resolvers: dict[str, NodeResolver] = {pid: _course for pid in gateway.providers}
    resolvers["collection"] = _collection
    return resolvers


@hookimpl
def startup(gateway: Gateway) -> None:
    gathered: list[CollectionRecord] = []
    seen: dict[str, str] = {}
    for plugin, records in gateway.plugins.call_each("register_collections", gateway=gateway):
        for record in records:
            if not record.id.startswith("collection:"):
                log.warning("collection id %s of plugin %s lacks 'collection:'", record.id, plugin)
                continue
            if record.id in seen:
                log.warning("collection %s given by %s and %s", record.id, seen[record.id], plugin)
                continue
            seen[record.id] = plugin
            gathered.append(record)
    gateway.state[COLLECTIONS] = gathered
    gateway.state[COLLECTION_OWNERS] = seen  # collection id -> plugin, for state modules' scope


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from gateway.catalogue.commands import add_commands

    add_commands(cli)
