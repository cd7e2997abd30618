"""``assignPlan``: an MDO or state admin assigns courses within their tree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from strawberry import Info

from gateway.context import RequestContext, context_of
from gateway.directory.models import LearnerRow, OrganisationRow
from gateway.directory.service import name_key
from plugins.passbook import courses, plans
from plugins.passbook.api.plans import PlanAssignment, PlanInput, PlanItem, PlanItemStatus
from plugins.passbook.models import EnrolmentRow, PlanItemRow
from plugins.passbook.store import insert_for, today_ist
from schema.errors import BadUserInput, NotFound

MAX_COURSES = 50
MAX_LEARNERS = 1000


async def assign_plan(info: Info, input: PlanInput) -> list[PlanItem]:
    ctx = context_of(info)
    principal = ctx.require_principal()
    org_id = str(input.organisation_id)
    await ctx.authz.require_org_admin(org_id, "assign a plan to its learners")
    course_ids = list(dict.fromkeys(str(c) for c in input.course_ids))
    if not course_ids:
        raise BadUserInput("courseIds: name at least one course.")
    if len(course_ids) > MAX_COURSES:
        raise BadUserInput(f"courseIds: at most {MAX_COURSES} courses per plan.")
    today = today_ist()
    if input.due_date < today:
        raise BadUserInput(
            f"dueDate {input.due_date.isoformat()} is in the past (today is {today.isoformat()} IST)."
        )
    targets = await _targets(ctx, input, org_id)
    found = await courses.load_courses(ctx.gateway, course_ids)
    unknown = [c for c in course_ids if found.get(c) is None]
    if unknown:
        raise BadUserInput(f"courseIds: no such course: {', '.join(unknown)}.")
    now = dt.datetime.now(dt.UTC)
    async with ctx.write() as session:
        for course_id in course_ids:
            for scope, target in targets:
                await session.execute(
                    insert_for(session, PlanItemRow)
                    .values(
                        organisation_id=org_id,
                        course_id=course_id,
                        scope=scope,
                        target=target,
                        due_date=input.due_date,
                        assigned_by=principal.learner_id,
                        assigned_at=now,
                    )
                    .on_conflict_do_update(
                        index_elements=["organisation_id", "course_id", "scope", "target"],
                        set_={
                            "due_date": input.due_date,
                            "assigned_by": principal.learner_id,
                            "assigned_at": now,
                        },
                    )
                )
        done: set[tuple[str, str]] = set()
        learner_targets = [t for s, t in targets if s == "LEARNER"]
        if learner_targets:
            rows = await session.execute(
                select(EnrolmentRow.learner_id, EnrolmentRow.course_id).where(
                    EnrolmentRow.learner_id.in_(learner_targets),
                    EnrolmentRow.course_id.in_(course_ids),
                    EnrolmentRow.status == "COMPLETED",
                )
            )
            done = {(lid, cid) for lid, cid in rows.all()}
    return [
        PlanItem(
            due_date=input.due_date,
            status=PlanItemStatus(plans.status_of(input.due_date, (target, course_id) in done, today)),
            course_id=course_id,
            organisation_id=org_id,
        )
        for course_id in course_ids
        for _, target in targets
    ]


async def _targets(ctx: RequestContext, input: PlanInput, org_id: str) -> list[tuple[str, str]]:
    if input.assignment == PlanAssignment.ALL_LEARNERS:
        return [("ALL_LEARNERS", "")]
    if input.assignment == PlanAssignment.DESIGNATION:
        key = name_key(input.designation or "")
        if not key:
            raise BadUserInput("designation: required when assignment is DESIGNATION.")
        return [("DESIGNATION", key)]
    learner_ids = list(dict.fromkeys(str(i) for i in input.learner_ids or []))
    if not learner_ids:
        raise BadUserInput("learnerIds: required when assignment is LEARNERS.")
    if len(learner_ids) > MAX_LEARNERS:
        raise BadUserInput(f"learnerIds: at most {MAX_LEARNERS} learners per call.")
    async with ctx.db() as session:
        org = await session.get(OrganisationRow, org_id)
        if org is None:
            raise NotFound(f"No organisation {org_id}.")
        rows = (
            await session.execute(
                select(LearnerRow.id, OrganisationRow.path)
                .join(OrganisationRow, LearnerRow.organisation_id == OrganisationRow.id, isouter=True)
                .where(LearnerRow.id.in_(learner_ids))
            )
        ).all()
    paths = {lid: path for lid, path in rows}
    outside = [lid for lid in learner_ids if not (paths.get(lid) or "").startswith(org.path)]
    if outside:
        raise BadUserInput(f"learnerIds: not learners of {org.name}: {', '.join(outside)}.")
    return [("LEARNER", lid) for lid in learner_ids]
