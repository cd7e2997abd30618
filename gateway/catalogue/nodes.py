"""``node(id)`` for course ids (prefixed by their provider) and collections."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.catalogue import service
from gateway.catalogue.loaders import courses_by_id
from schema.content import Collection, Course

if TYPE_CHECKING:
    from gateway.context import RequestContext


async def course_node(ctx: RequestContext, node_id: str) -> Any:
    if not await ctx.gateway.states.course_reaches_principal(ctx, node_id):
        return None  # a state module's course, outside its states
    record = await ctx.load(courses_by_id, node_id)
    return Course.of(record) if record is not None else None


async def collection_node(ctx: RequestContext, node_id: str) -> Any:
    for record in await service.all_collections(ctx):
        if record.id == node_id:
            return Collection.of(record)
    return None
