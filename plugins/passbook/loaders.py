"""Batch functions for the passbook's DataLoaders: one SQL statement per batch,
so a page of enrolments costs the same number of statements as one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, select

from gateway.catalogue.loaders import courses_by_id
from gateway.directory.loaders import learners_by_id, organisations_by_id, rows_by_key, rows_grouped_by
from gateway.directory.models import DesignationCompetencyRow
from gateway.directory.service import name_key
from gateway.states.plans import plan_rules_for
from plugins.passbook.courses import CourseView, course_view
from plugins.passbook.models import (
    CertificateRow,
    EnrolmentRow,
    EvidenceRow,
    KarmaRow,
    PlanItemRow,
    QuizAttemptRow,
    ResourceProgressRow,
)
from plugins.passbook.plans import EffectivePlanItem, ancestor_ids, effective_plan
from schema.plan_rules import PlanRule
from schema.scalars import IST

if TYPE_CHECKING:
    from gateway.context import RequestContext

T = TypeVar("T")


async def enrolments_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[EnrolmentRow]]:
    """Every enrolment of each learner, newest first."""
    return await rows_grouped_by(
        ctx,
        EnrolmentRow,
        EnrolmentRow.learner_id,
        learner_ids,
        EnrolmentRow.enrolled_at.desc(),
        EnrolmentRow.id,
    )


async def enrolments_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[EnrolmentRow | None]:
    return await rows_by_key(ctx, EnrolmentRow, EnrolmentRow.id, ids)


async def progress_by_enrolment(ctx: RequestContext, ids: list[str]) -> Sequence[list[ResourceProgressRow]]:
    return await rows_grouped_by(
        ctx, ResourceProgressRow, ResourceProgressRow.enrolment_id, ids, ResourceProgressRow.id
    )


async def attempts_by_enrolment(ctx: RequestContext, ids: list[str]) -> Sequence[list[QuizAttemptRow]]:
    return await rows_grouped_by(
        ctx,
        QuizAttemptRow,
        QuizAttemptRow.enrolment_id,
        ids,
        QuizAttemptRow.resource_id,
        QuizAttemptRow.attempt,
    )


async def certificates_by_learner(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[CertificateRow]]:
    """Each learner's certificates, oldest first (also feeds the per-enrolment
    and per-id lookups of the same request, so a dashboard reads them once)."""
    return await rows_grouped_by(
        ctx,
        CertificateRow,
        CertificateRow.learner_id,
        learner_ids,
        CertificateRow.issued_at,
        CertificateRow.id,
    )


async def certificate_of(ctx: RequestContext, enrolment: EnrolmentRow) -> CertificateRow | None:
    if enrolment.status != "COMPLETED":
        return None
    rows = await ctx.load(certificates_by_learner, enrolment.learner_id)
    return next((c for c in rows if c.enrolment_id == enrolment.id), None)


async def certificate_by_id(
    ctx: RequestContext, learner_id: str, certificate_id: str
) -> CertificateRow | None:
    rows = await ctx.load(certificates_by_learner, learner_id)
    return next((c for c in rows if c.id == certificate_id), None)


async def evidence_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[EvidenceRow]]:
    return await rows_grouped_by(
        ctx, EvidenceRow, EvidenceRow.learner_id, learner_ids, EvidenceRow.acquired_at, EvidenceRow.id
    )


async def karma_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[int]:
    async with ctx.db() as session:
        rows = (
            await session.execute(
                select(KarmaRow.learner_id, func.coalesce(func.sum(KarmaRow.points), 0))
                .where(KarmaRow.learner_id.in_(learner_ids))
                .group_by(KarmaRow.learner_id)
            )
        ).all()
    totals = {learner_id: int(total) for learner_id, total in rows}
    return [totals.get(i, 0) for i in learner_ids]


async def plan_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[EffectivePlanItem]]:
    learners = await ctx.load_many(learners_by_id, learner_ids)
    org_ids = [lr.organisation_id for lr in learners if lr is not None and lr.organisation_id]
    orgs = {o.id: o for o in await ctx.load_many(organisations_by_id, org_ids) if o is not None}
    paths = {
        lr.id: orgs[lr.organisation_id].path
        for lr in learners
        if lr is not None and lr.organisation_id in orgs
    }
    candidate_orgs = sorted({org for path in paths.values() for org in ancestor_ids(path)})
    async with ctx.db() as session:
        items = (
            await session.scalars(
                select(PlanItemRow).where(
                    PlanItemRow.organisation_id.in_(candidate_orgs)
                    | ((PlanItemRow.scope == "LEARNER") & PlanItemRow.target.in_(learner_ids))
                )
            )
        ).all()
    return [
        with_plan_rules(
            effective_plan(items, lr.id, lr.designation, paths.get(lr.id)), await plan_rules_for(ctx, lr)
        )
        if lr is not None
        else []
        for lr in learners
    ]


def with_plan_rules(
    items: list[EffectivePlanItem], rules: Sequence[tuple[str, PlanRule]]
) -> list[EffectivePlanItem]:
    """Stored plan items plus plugins' plan rules (register_plan_rules), one item
    per course (earliest due date), ordered like ``effective_plan``."""
    best = {item.course_id: item for item in items}
    today = dt.datetime.now(IST).date()
    for _, rule in rules:
        current = best.get(rule.course_id)
        due = rule.due_on(today)
        if current is None or due < current.due_date:
            best[rule.course_id] = EffectivePlanItem(rule.course_id, due, rule.organisation_id)
    return sorted(best.values(), key=lambda e: (e.due_date, e.course_id))


async def designation_needs(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[tuple[str, str | None]]]:
    """The competencies each learner's designation needs: the mapping of the
    nearest organisation on the learner's path that maps that designation."""
    learners = await ctx.load_many(learners_by_id, learner_ids)
    org_ids = [lr.organisation_id for lr in learners if lr is not None and lr.organisation_id]
    orgs = {o.id: o for o in await ctx.load_many(organisations_by_id, org_ids) if o is not None}
    wanted = {
        lr.id: (ancestor_ids(orgs[lr.organisation_id].path), name_key(lr.designation))
        for lr in learners
        if lr is not None and lr.organisation_id in orgs and lr.designation
    }
    all_orgs = sorted({o for path, _ in wanted.values() for o in path})
    keys = sorted({key for _, key in wanted.values()})
    rows: Sequence[DesignationCompetencyRow] = []
    if wanted:
        async with ctx.db() as session:
            rows = (
                await session.scalars(
                    select(DesignationCompetencyRow)
                    .where(
                        DesignationCompetencyRow.organisation_id.in_(all_orgs),
                        DesignationCompetencyRow.designation_key.in_(keys),
                    )
                    .order_by(DesignationCompetencyRow.id)
                )
            ).all()
    result: list[list[tuple[str, str | None]]] = []
    for learner_id in learner_ids:
        if learner_id not in wanted:
            result.append([])
            continue
        path, key = wanted[learner_id]
        mapped = [r for r in rows if r.designation_key == key]
        nearest = next((org for org in reversed(path) if any(r.organisation_id == org for r in mapped)), None)
        result.append([(r.competency_id, r.level) for r in mapped if r.organisation_id == nearest])
    return result


async def course_views(ctx: RequestContext, ids: list[str]) -> Sequence[CourseView | None]:
    """Course views built from the catalogue's records (the same DataLoader the
    ``Course`` type uses, so a course is fetched from its provider once)."""
    records = await ctx.load_many(courses_by_id, ids)
    providers = ctx.gateway.providers
    return [
        course_view(record, providers[record.provider_id]) if record is not None else None
        for record in records
    ]
