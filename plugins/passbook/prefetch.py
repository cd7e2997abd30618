"""One plan of reads for a learner's records, shared by the passbook's Learner
fields in a request.

Left to themselves, ``enrolments``, ``passbook``, ``plan`` and
``recommendations`` each start loads whose batches meet or miss one another
depending on I/O timing, so the same query could cost a different number of
SQL statements from one request to the next. Instead, the first of these
fields starts one task per learner that reads, in fixed waves, everything the
requested fields need (records; then the catalogue for recommendations; then
every course; then every competency and organisation) into the request's
DataLoaders. The fields then resolve from those caches. The task starts on the
next turn of the event loop, by which time every sibling field has said what
it needs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from gateway.catalogue.loaders import courses_by_id
from gateway.directory.loaders import competencies_by_id, learners_by_id, organisations_by_id
from plugins.passbook import recommend
from plugins.passbook.courses import catalogue_index
from plugins.passbook.loaders import (
    certificates_by_learner,
    designation_needs,
    enrolments_by_learner,
    evidence_by_learner,
    karma_by_learner,
    plan_by_learner,
)
from plugins.passbook.settings import PassbookSettings
from schema.cache import NO_STORE
from schema.context import StateKey

if TYPE_CHECKING:
    from gateway.context import RequestContext

MAX_RECOMMENDATIONS = 50
# per request, by learner id: the fields waiting, the prefetch running, the ranking made
WANTED: StateKey[dict[str, set[str]]] = StateKey("passbook.wanted")
PREFETCH: StateKey[dict[str, asyncio.Task[None]]] = StateKey("passbook.prefetch")
RANKED: StateKey[dict[str, list[recommend.Ranked]]] = StateKey("passbook.ranked")


async def learner_records(ctx: RequestContext, learner_id: str, field: str) -> None:
    """Wait until the records ``field`` needs are in the request's caches."""
    wanted = ctx.state.setdefault(WANTED, {}).setdefault(learner_id, set())
    wanted.add(field)
    tasks = ctx.state.setdefault(PREFETCH, {})
    task = tasks.get(learner_id)
    if task is None:
        task = asyncio.ensure_future(_prefetch(ctx, learner_id, wanted))
        tasks[learner_id] = task
    await task


def ranked(ctx: RequestContext, learner_id: str) -> list[recommend.Ranked]:
    return ctx.state.get(RANKED, {}).get(learner_id, [])


async def _prefetch(ctx: RequestContext, learner_id: str, wanted: set[str]) -> None:
    await asyncio.sleep(0)  # sibling fields register what they need first
    learner = await ctx.load(learners_by_id, learner_id)
    # The loaders' futures, awaited in turn: queued in this turn, so each
    # loader dispatches its batch once, and no task is made per load.
    enrolled_f = ctx.loader(enrolments_by_learner).load(learner_id)
    evidence_f = ctx.loader(evidence_by_learner).load(learner_id)
    plan_f = ctx.loader(plan_by_learner).load(learner_id)
    needs_f = ctx.loader(designation_needs).load(learner_id)
    certificates_f = ctx.loader(certificates_by_learner).load(learner_id)
    karma_f = ctx.loader(karma_by_learner).load(learner_id)
    enrolled, evidence, plan, needs = await enrolled_f, await evidence_f, await plan_f, await needs_f
    await certificates_f
    await karma_f
    course_ids: set[str] = set()
    competency_ids: set[str] = set()
    org_ids: set[str] = {p.organisation_id for p in plan}
    if "enrolments" in wanted:
        course_ids |= {e.course_id for e in enrolled}
    if "plan" in wanted or "recommendations" in wanted:
        course_ids |= {p.course_id for p in plan}
    if "passbook" in wanted:
        course_ids |= {e.course_id for e in evidence if e.course_id}
        competency_ids |= {e.competency_id for e in evidence}
    ranking: recommend.Ranking | None = None
    if "recommendations" in wanted:
        held = {e.competency_id for e in evidence}
        index, failed, keepable = await catalogue_index(
            ctx.gateway, ctx.gateway.plugin_settings(PassbookSettings).catalogue_cache_seconds
        )
        if not keepable:  # a provider failed or served an old snapshot: ask again next time
            ctx.state[NO_STORE] = True
        states = ctx.gateway.states
        hidden = {  # state modules' providers that do not reach this learner
            provider_id
            for provider_id, owner in states.provider_owners.items()
            if not await states.reaches_learner(ctx, owner, learner)
        }
        for provider_id in failed:
            if provider_id not in hidden:  # a state's provider is not named outside it
                ctx.extra_errors.append(_provider_error(provider_id))
        # the order does not depend on names, which are read in the next wave
        ranking = recommend.rank(
            needs=[cid for cid, _ in needs],
            held=held,
            catalogue=index,
            excluded={e.course_id for e in enrolled if e.status in ("IN_PROGRESS", "COMPLETED")},
            hidden_providers=hidden,
            plan=plan,
            done_courses={e.course_id for e in enrolled if e.status == "COMPLETED"},
            first=MAX_RECOMMENDATIONS,
        )
        course_ids |= {c.course_id for c in ranking.candidates}
        competency_ids |= {cid for cid, _ in needs if cid not in held}
    records = await ctx.load_many(courses_by_id, sorted(course_ids))
    for record in records:
        if record is not None:
            competency_ids |= {t.competency_id for t in record.competencies}
    competency_loads = [ctx.loader(competencies_by_id).load(c) for c in sorted(competency_ids)]
    org_loads = [ctx.loader(organisations_by_id).load(o) for o in sorted(org_ids)]
    competencies = [await future for future in competency_loads]
    orgs = [await future for future in org_loads]
    if ranking is not None:
        ctx.state.setdefault(RANKED, {})[learner_id] = recommend.explain(
            ranking,
            designation=learner.designation if learner is not None else None,
            competency_names={c.id: _name(c.theme, c.sub_theme) for c in competencies if c is not None},
            organisation_names={o.id: o.name for o in orgs if o is not None},
        )


def _provider_error(provider_id: str) -> Any:
    from graphql import GraphQLError

    from schema.errors import ProviderUnavailable

    message = (
        f"Content provider {provider_id!r} is unavailable; its courses are missing from recommendations."
    )
    return GraphQLError(message, original_error=ProviderUnavailable(message, provider=provider_id))


def _name(theme: str, sub_theme: str | None) -> str:
    return f"{theme}: {sub_theme}" if sub_theme else theme
