"""Gathers course summaries and collections from every provider, one request at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gateway.catalogue import calls
from gateway.catalogue.loaders import report_provider_problem
from gateway.directory.loaders import competencies_by_id
from gateway.directory.service import name_key
from schema.providers import CollectionRecord, CourseSummary, ProviderError

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from schema.providers import ContentProvider

log = logging.getLogger("gateway.catalogue")


async def _search_one(
    ctx: RequestContext, provider: ContentProvider, text: str | None
) -> list[CourseSummary]:
    try:
        answer = await calls.search(ctx.gateway, provider, text)
    except ProviderError as exc:
        report_provider_problem(ctx, provider.id, str(exc), stale=False, path=["courses"])
        return []
    if answer.problem:
        report_provider_problem(ctx, provider.id, answer.problem, stale=answer.stale, path=["courses"])
    prefix = provider.id + ":"
    return [s for s in answer.summaries if s.id.startswith(prefix)]


async def summaries(
    ctx: RequestContext, providers: Sequence[ContentProvider], text: str | None
) -> list[CourseSummary]:
    """Every matching course of every given provider, asked concurrently."""
    found = await asyncio.gather(*(_search_one(ctx, p, text) for p in providers))
    return [s for batch in found for s in batch]


async def areas_of(ctx: RequestContext, summaries: Sequence[CourseSummary]) -> dict[str, str]:
    """Competency id -> area for every competency the summaries are tagged with
    (through the directory's DataLoader, so ``Course.competencies`` reuses it)."""
    ids = sorted({c for s in summaries for c in s.competency_ids})
    if not ids:
        return {}
    rows = await ctx.load_many(competencies_by_id, ids)
    return {row.id: row.area for row in rows if row is not None}


async def all_collections(ctx: RequestContext) -> list[CollectionRecord]:
    """Providers' collections (asked concurrently) then state modules' ones,
    leaving out those of state modules that do not reach the signed-in learner."""
    states = ctx.gateway.states
    providers = [
        p for p in ctx.gateway.providers.values() if await states.provider_reaches_principal(ctx, p.id)
    ]

    async def of(provider: ContentProvider) -> list[CollectionRecord]:
        try:
            return await calls.collections(ctx.gateway, provider)
        except ProviderError as exc:
            report_provider_problem(ctx, provider.id, str(exc), stale=False, path=["collections"])
            return []

    found = await asyncio.gather(*(of(p) for p in providers))
    extra = ctx.gateway.collections
    owners = ctx.gateway.collection_owners
    reaching = [c for c in extra if c.id not in owners or await states.reaches_principal(ctx, owners[c.id])]
    return [c for batch in found for c in batch] + reaching


def for_designation(collections: list[CollectionRecord], designation: str | None) -> list[CollectionRecord]:
    """With a designation: those curated for it first, then the general ones
    (curated for everyone); those for other designations are left out."""
    ordered = sorted(collections, key=lambda c: (c.title.casefold(), c.id))
    if designation is None or not designation.strip():
        return ordered
    key = name_key(designation)
    mine = [c for c in ordered if key in {name_key(d) for d in c.designations}]
    general = [c for c in ordered if not c.designations]
    return mine + general
