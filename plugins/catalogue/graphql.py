"""The catalogue's root fields: courses, course, providers, collections."""

from __future__ import annotations

import strawberry
from strawberry import Info

from gateway.catalogue import service
from gateway.catalogue.cursors import CursorCodec
from gateway.catalogue.loaders import courses_by_id
from gateway.catalogue.ranking import Filters, facet_counts, keep, rank_key, search_terms
from gateway.context import RequestContext, context_of
from gateway.directory.loaders import organisations_by_id
from schema.common import PageInfo
from schema.content import (
    Collection,
    Course,
    CourseConnection,
    CourseEdge,
    CourseFacets,
    CourseFilter,
    FacetCount,
    Provider,
)
from schema.errors import BadUserInput, NotFound


def _filters(ctx: RequestContext, given: CourseFilter | None) -> Filters:
    if given is None:
        return Filters()
    providers = None
    if given.providers is not None:
        providers = frozenset(str(p) for p in given.providers)
        unknown = sorted(providers - set(ctx.gateway.providers))
        if unknown:
            raise BadUserInput(
                f"Unknown provider(s) {', '.join(unknown)}; known: "
                f"{', '.join(sorted(ctx.gateway.providers))}.",
                field="filter.providers",
            )
    if given.max_duration_minutes is not None and given.max_duration_minutes < 0:
        raise BadUserInput("maxDurationMinutes cannot be negative.", field="filter")
    language = given.language.strip() if given.language is not None else None
    if language is not None and not language:
        raise BadUserInput("language must be a BCP 47 tag such as 'en' or 'hi'.", field="filter")
    return Filters(
        providers=providers,
        areas=frozenset(a.value for a in given.areas) if given.areas is not None else None,
        competency_ids=frozenset(str(c) for c in given.competency_ids)
        if given.competency_ids is not None
        else None,
        language=language,
        max_duration_minutes=given.max_duration_minutes,
        delivery_mode=given.delivery_mode.value if given.delivery_mode else None,
    )


def max_page_size(ctx: RequestContext) -> int:
    return ctx.gateway.settings.limits.max_page_size


async def courses(
    info: Info,
    search: str | None = None,
    filter: CourseFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> CourseConnection:
    ctx = context_of(info)
    limit = max_page_size(ctx)
    first = 20 if first is None else first
    if first < 0 or first > limit:
        raise BadUserInput(f"first must be between 0 and {limit}.", field="first")
    codec = CursorCodec(ctx.gateway.settings.secret_key.get_secret_value())
    start_after = codec.decode(after) if after is not None else None
    terms = search_terms(search)
    filters = _filters(ctx, filter)
    states = ctx.gateway.states  # a state module's providers reach only its states' learners
    providers = [
        p
        for pid, p in ctx.gateway.providers.items()
        if (filters.providers is None or pid in filters.providers)
        and (filters.delivery_mode is None or p.delivery_mode == filters.delivery_mode)
        and await states.provider_reaches_principal(ctx, pid)
    ]
    found = await service.summaries(ctx, providers, " ".join(terms) or None)
    areas = await service.areas_of(ctx, found)
    matching = sorted(
        ((rank_key(s, terms), s) for s in found if keep(s, filters, areas)),
        key=lambda pair: pair[0],
    )
    remaining = [p for p in matching if start_after is None or p[0] > start_after]
    page = remaining[:first]
    records = await ctx.load_many(courses_by_id, [s.id for _, s in page])
    edges = [
        CourseEdge(cursor=codec.encode(key), node=Course.of(record))
        for (key, _), record in zip(page, records, strict=True)
        if record is not None
    ]
    counts = facet_counts([s for _, s in matching], areas)
    facets = CourseFacets(
        **{name: [FacetCount(value=v, count=n) for v, n in pairs] for name, pairs in counts.items()}
    )
    return CourseConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(remaining) > len(page),
            has_previous_page=len(remaining) < len(matching),
            start_cursor=codec.encode(page[0][0]) if page else None,
            end_cursor=codec.encode(page[-1][0]) if page else None,
        ),
        total_count=len(matching),
        facets=facets,
    )


async def course(info: Info, id: strawberry.ID) -> Course | None:
    ctx = context_of(info)
    if not await ctx.gateway.states.course_reaches_principal(ctx, str(id)):
        raise NotFound(f"No course {id}.")  # a state module's course, outside its states
    record = await ctx.load(courses_by_id, str(id))
    return Course.of(record) if record is not None else None


async def providers(info: Info) -> list[Provider]:
    ctx = context_of(info)
    return [
        Provider.of(p)
        for pid, p in ctx.gateway.providers.items()
        if await ctx.gateway.states.provider_reaches_principal(ctx, pid)
    ]


async def collections(info: Info, designation: str | None = None) -> list[Collection]:
    ctx = context_of(info)
    found = service.for_designation(await service.all_collections(ctx), designation)
    # A collection shows once its curating organisation is in the directory.
    orgs = await ctx.load_many(organisations_by_id, [c.curated_by for c in found])
    return [Collection.of(c) for c, org in zip(found, orgs, strict=True) if org is not None]


QUERY_FIELDS = [
    strawberry.field(resolver=course),
    strawberry.field(
        resolver=courses,
        description=(
            "Every enabled provider's courses, ranked as docs/providers.md says. "
            "first is 0 to limits.max_page_size (100 by default)."
        ),
    ),
    strawberry.field(resolver=providers),
    strawberry.field(
        resolver=collections,
        description=(
            "Curated collections; with a designation, those curated for it first, then the general ones."
        ),
    ),
]
