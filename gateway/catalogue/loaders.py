"""Batch functions for the catalogue's DataLoaders and per-request provider state.

One DataLoader per request for course records: every wave of ``Course`` loads
becomes one ``courses_by_ids`` call per provider, run concurrently.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from gateway.catalogue import calls
from schema.context import StateKey
from schema.errors import ProviderUnavailable
from schema.providers import CourseBatch, CourseRecord, ProviderError, ProviderHealth

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from schema.providers import ContentProvider

_PROBLEMS: StateKey[set[str]] = StateKey("catalogue.provider_problems")


def report_provider_problem(
    ctx: RequestContext, provider_id: str, problem: str, *, stale: bool, path: list[Any] | None = None
) -> None:
    """Add one ``PROVIDER_UNAVAILABLE`` error per provider to the response.

    ``stale`` says cached data was served in its place; a later report with
    ``stale`` upgrades nothing, the first one stands (one error per provider).
    """
    reported: set[str] = ctx.state.setdefault(_PROBLEMS, set())
    if provider_id in reported:
        return
    reported.add(provider_id)
    message = f"Content provider {provider_id!r} is unavailable: {problem}"
    if stale:
        message += " Its courses come from cached data and may be out of date."
    else:
        message += " Its courses are missing from this answer."
    extensions: dict[str, Any] = {"provider": provider_id, "stale": stale}
    ctx.extra_errors.append(
        GraphQLError(message, path=path, original_error=ProviderUnavailable(message, **extensions))
    )


async def _batch_of(ctx: RequestContext, provider: ContentProvider, ids: list[str]) -> CourseBatch:
    try:
        batch = await calls.courses_by_ids(ctx.gateway, provider, ids)
    except ProviderError as exc:
        report_provider_problem(ctx, provider.id, str(exc), stale=False)
        return CourseBatch(courses=[None] * len(ids))
    if batch.problem:
        report_provider_problem(ctx, provider.id, batch.problem, stale=batch.stale)
    return batch


async def courses_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[CourseRecord | None]:
    """Course records for provider-qualified ids; ``None`` for unknown ones."""
    providers = ctx.gateway.providers
    grouped: dict[str, list[str]] = defaultdict(list)
    for course_id in ids:
        prefix, sep, _ = course_id.partition(":")
        if sep and prefix in providers:
            grouped[prefix].append(course_id)
    batches = await asyncio.gather(*(_batch_of(ctx, providers[pid], pids) for pid, pids in grouped.items()))
    found: dict[str, CourseRecord] = {}
    for pids, batch in zip(grouped.values(), batches, strict=True):
        for course_id, record in zip(pids, batch.courses, strict=True):
            if record is not None:
                found[course_id] = record
    return [found.get(i) for i in ids]


async def enrolments_of_principal(ctx: RequestContext, course_ids: list[str]) -> Sequence[bool]:
    """Whether the signed-in learner is enrolled in each course (asks the passbook)."""
    backend = ctx.gateway.passbook  # checked against PassbookBackend when registered
    if ctx.principal is None or backend is None:
        return [False] * len(course_ids)
    enrolled = await backend.enrolled_course_ids(ctx.principal.learner_id, list(course_ids))
    return [cid in enrolled for cid in course_ids]


async def health_by_provider(ctx: RequestContext, provider_ids: list[str]) -> Sequence[ProviderHealth]:
    """Providers' health by id, asked concurrently (once per request: the loader caches)."""
    providers = ctx.gateway.providers
    return await asyncio.gather(*(calls.health(ctx.gateway, providers[pid]) for pid in provider_ids))


async def course_count_by_provider(ctx: RequestContext, provider_ids: list[str]) -> Sequence[int | None]:
    """Providers' course counts by id, asked concurrently (once per request)."""
    providers = ctx.gateway.providers
    return await asyncio.gather(*(calls.course_count(ctx.gateway, providers[pid]) for pid in provider_ids))
