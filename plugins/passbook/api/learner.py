"""Fields the passbook adds to the core's ``Learner``: enrolments, passbook,
plan and recommendations. Each checks that the asker may see this learner."""

from __future__ import annotations

import base64

import strawberry
from strawberry import Info

from gateway.context import context_of
from plugins.passbook.api.enrolments import Enrolment, EnrolmentConnection, EnrolmentEdge, EnrolmentStatus
from plugins.passbook.api.plans import PlanItem, PlanItemStatus, Recommendation
from plugins.passbook.api.records import Passbook
from plugins.passbook.loaders import (
    enrolments_by_learner,
    plan_by_learner,
)
from plugins.passbook.plans import status_of
from plugins.passbook.prefetch import MAX_RECOMMENDATIONS, learner_records, ranked
from plugins.passbook.store import today_ist
from schema.common import PageInfo
from schema.errors import BadUserInput, Forbidden
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
    await learner_records(context_of(info), learner_id, "enrolments")
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
    learner_id = await _visible(info, root)
    await learner_records(context_of(info), learner_id, "passbook")
    return Passbook(learner_id=learner_id)


async def plan(root: strawberry.Parent[Learner], info: Info) -> list[PlanItem]:
    learner_id = await _visible(info, root)
    ctx = context_of(info)
    await learner_records(ctx, learner_id, "plan")
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
    if not 0 <= first <= MAX_RECOMMENDATIONS:
        raise BadUserInput(f"first must be between 0 and {MAX_RECOMMENDATIONS}.")
    ctx = context_of(info)
    await learner_records(ctx, learner_id, "recommendations")
    return [
        Recommendation(reason=r.reason, score=r.score, course_id=r.course_id, gap_ids=r.gaps)
        for r in ranked(ctx, learner_id)[:first]
    ]


LEARNER_FIELDS = [
    strawberry.field(resolver=enrolments),
    strawberry.field(resolver=passbook),
    strawberry.field(
        resolver=plan,
        description="Mandatory courses assigned to this learner (annual capacity building plan).",
    ),
    strawberry.field(resolver=recommendations),
]
