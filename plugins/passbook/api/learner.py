"""Fields the passbook adds to the core's ``Learner``: enrolments, passbook,
plan and recommendations. Each checks that the asker may see this learner."""

from __future__ import annotations

import base64

import strawberry
from strawberry import Info

from gateway.context import context_of
from gateway.directory.loaders import competencies_by_id, organisations_by_id
from gateway.errors import BadUserInput, Forbidden
from plugins.passbook import recommend
from plugins.passbook.api.enrolments import Enrolment, EnrolmentConnection, EnrolmentEdge, EnrolmentStatus
from plugins.passbook.api.plans import PlanItem, PlanItemStatus, Recommendation
from plugins.passbook.api.records import Passbook
from plugins.passbook.courses import catalogue
from plugins.passbook.loaders import (
    designation_needs,
    enrolments_by_learner,
    evidence_by_learner,
    plan_by_learner,
)
from plugins.passbook.plans import status_of
from plugins.passbook.store import today_ist
from schema.common import PageInfo
from schema.learner import Learner


async def _visible(info: Info, learner: Learner) -> str:
    if not await context_of(info).authz.can_view_learner(learner.row):
        raise Forbidden("You may only see your own records or those of learners you administer.")
    return learner.row.id


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"enrolment:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(number)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadUserInput("after: not a cursor this list gave out.") from exc
    if kind != "enrolment" or offset < 0:
        raise BadUserInput("after: not a cursor this list gave out.")
    return offset + 1


async def enrolments(
    root: strawberry.Parent[Learner],
    info: Info,
    status: EnrolmentStatus | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> EnrolmentConnection:
    learner_id = await _visible(info, root)
    first = 20 if first is None else first
    limit = context_of(info).gateway.settings.limits.max_page_size
    if not 0 <= first <= limit:
        raise BadUserInput(f"first must be between 0 and {limit}.")
    rows = await context_of(info).load(enrolments_by_learner, learner_id)
    if status is not None:
        rows = [r for r in rows if r.status == status.value]
    start = _offset(after)
    page = rows[start : start + first]
    edges = [EnrolmentEdge(cursor=_cursor(start + i), node=Enrolment.from_row(r)) for i, r in enumerate(page)]
    return EnrolmentConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < len(rows),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(rows),
    )


async def passbook(root: strawberry.Parent[Learner], info: Info) -> Passbook:
    return Passbook(learner_id=await _visible(info, root))


async def plan(root: strawberry.Parent[Learner], info: Info) -> list[PlanItem]:
    learner_id = await _visible(info, root)
    ctx = context_of(info)
    items = await ctx.load(plan_by_learner, learner_id)
    done = {r.course_id for r in await ctx.load(enrolments_by_learner, learner_id) if r.status == "COMPLETED"}
    today = today_ist()
    return [
        PlanItem(
            due_date=item.due_date,
            status=PlanItemStatus(status_of(item.due_date, item.course_id in done, today)),
            course_id=item.course_id,
            organisation_id=item.organisation_id,
        )
        for item in items
    ]


async def recommendations(
    root: strawberry.Parent[Learner], info: Info, first: int | None = 5
) -> list[Recommendation]:
    learner_id = await _visible(info, root)
    first = 5 if first is None else first
    if not 0 <= first <= 50:
        raise BadUserInput("first must be between 0 and 50.")
    ctx = context_of(info)
    needs = [cid for cid, _ in await ctx.load(designation_needs, learner_id)]
    held = {e.competency_id for e in await ctx.load(evidence_by_learner, learner_id)}
    enrolled = await ctx.load(enrolments_by_learner, learner_id)
    plan_items = await ctx.load(plan_by_learner, learner_id)
    entries, failed = await catalogue(ctx.gateway)
    for provider_id in failed:
        ctx.extra_errors.append(_provider_error(provider_id))
    gaps = [c for c in needs if c not in held]
    comps = await ctx.load_many(competencies_by_id, gaps)
    names = {c.id: (f"{c.theme}: {c.sub_theme}" if c.sub_theme else c.theme) for c in comps if c is not None}
    orgs = await ctx.load_many(organisations_by_id, sorted({p.organisation_id for p in plan_items}))
    ranked = recommend.rank(
        needs=needs,
        held=held,
        catalogue=entries,
        excluded={r.course_id for r in enrolled if r.status in ("IN_PROGRESS", "COMPLETED")},
        plan=plan_items,
        done_courses={r.course_id for r in enrolled if r.status == "COMPLETED"},
        designation=root.row.designation,
        competency_names=names,
        organisation_names={o.id: o.name for o in orgs if o is not None},
        first=first,
    )
    return [
        Recommendation(reason=r.reason, score=r.score, course_id=r.course_id, gap_ids=r.gaps) for r in ranked
    ]


def _provider_error(provider_id: str) -> object:
    from graphql import GraphQLError

    from gateway.errors import ProviderUnavailable

    message = (
        f"Content provider {provider_id!r} is unavailable; its courses are missing from recommendations."
    )
    return GraphQLError(message, original_error=ProviderUnavailable(message, provider=provider_id))


LEARNER_FIELDS = [
    strawberry.field(resolver=enrolments),
    strawberry.field(resolver=passbook),
    strawberry.field(
        resolver=plan,
        description="Mandatory courses assigned to this learner (annual capacity building plan).",
    ),
    strawberry.field(resolver=recommendations),
]
