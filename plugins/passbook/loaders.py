"""Batch functions for the passbook's DataLoaders: one SQL statement per batch,
so a page of enrolments costs the same number of statements as one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, select

from gateway.catalogue.loaders import courses_by_id
from gateway.db.reads import Query, by_key, fetch_rows, grouped_by, keyed, one_of
from gateway.directory.loaders import learners_by_id, organisations_by_id
from gateway.directory.models import DesignationCompetencyRow
from gateway.directory.records import DesignationCompetency
from gateway.directory.service import name_key
from gateway.states.plans import plan_rules_for
from plugins.passbook import rows
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
from schema.context import MaybeAwaitable, awaited, then
from schema.plan_rules import PlanRule
from schema.scalars import IST

if TYPE_CHECKING:
    from gateway.context import RequestContext

T = TypeVar("T")

# Statements built once (gateway.db.reads): only the columns the types read.
ENROLMENTS_BY_LEARNER = keyed(
    rows.Enrolment, EnrolmentRow, "learner_id", EnrolmentRow.enrolled_at.desc(), EnrolmentRow.id
)
ENROLMENTS_BY_ID = keyed(rows.Enrolment, EnrolmentRow, "id")
PROGRESS = keyed(rows.ResourceProgress, ResourceProgressRow, "enrolment_id", ResourceProgressRow.id)
ATTEMPTS = keyed(
    rows.QuizAttempt, QuizAttemptRow, "enrolment_id", QuizAttemptRow.resource_id, QuizAttemptRow.attempt
)
CERTIFICATES = keyed(
    rows.Certificate, CertificateRow, "learner_id", CertificateRow.issued_at, CertificateRow.id
)
EVIDENCE = keyed(rows.Evidence, EvidenceRow, "learner_id", EvidenceRow.acquired_at, EvidenceRow.id)
KARMA = Query(
    rows.Karma,
    select(KarmaRow.learner_id, func.coalesce(func.sum(KarmaRow.points), 0))
    .where(one_of(KarmaRow.learner_id, "keys"))
    .group_by(KarmaRow.learner_id),
)
PLAN_ITEMS = Query(
    rows.PlanItem,
    select(
        PlanItemRow.id,
        PlanItemRow.organisation_id,
        PlanItemRow.course_id,
        PlanItemRow.scope,
        PlanItemRow.target,
        PlanItemRow.due_date,
    ).where(
        one_of(PlanItemRow.organisation_id, "orgs")
        | ((PlanItemRow.scope == "LEARNER") & one_of(PlanItemRow.target, "learners"))
    ),
)
DESIGNATION_NEEDS = Query(
    DesignationCompetency,
    select(
        DesignationCompetencyRow.organisation_id,
        DesignationCompetencyRow.designation_key,
        DesignationCompetencyRow.competency_id,
        DesignationCompetencyRow.level,
    )
    .where(
        one_of(DesignationCompetencyRow.organisation_id, "orgs"),
        one_of(DesignationCompetencyRow.designation_key, "designations"),
    )
    .order_by(DesignationCompetencyRow.id),
)


async def enrolments_by_learner(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[rows.Enrolment]]:
    """Every enrolment of each learner, newest first."""
    return await grouped_by(ctx, ENROLMENTS_BY_LEARNER, learner_ids)


async def enrolments_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[rows.Enrolment | None]:
    return await by_key(ctx, ENROLMENTS_BY_ID, ids)


async def progress_by_enrolment(ctx: RequestContext, ids: list[str]) -> Sequence[list[rows.ResourceProgress]]:
    return await grouped_by(ctx, PROGRESS, ids)


async def attempts_by_enrolment(ctx: RequestContext, ids: list[str]) -> Sequence[list[rows.QuizAttempt]]:
    return await grouped_by(ctx, ATTEMPTS, ids)


async def certificates_by_learner(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[rows.Certificate]]:
    """Each learner's certificates, oldest first (also feeds the per-enrolment
    and per-id lookups of the same request, so a dashboard reads them once)."""
    return await grouped_by(ctx, CERTIFICATES, learner_ids)


async def certificate_of(ctx: RequestContext, enrolment: rows.EnrolmentLike) -> rows.Certificate | None:
    return await awaited(certificate_of_now(ctx, enrolment))


def certificate_of_now(
    ctx: RequestContext, enrolment: rows.EnrolmentLike
) -> MaybeAwaitable[rows.Certificate | None]:
    """:func:`certificate_of` at once when the request has read the certificates."""
    if enrolment.status != "COMPLETED":
        return None
    found = ctx.load_now(certificates_by_learner, enrolment.learner_id)
    return then(
        found, lambda certificates: next((c for c in certificates if c.enrolment_id == enrolment.id), None)
    )


async def certificate_by_id(
    ctx: RequestContext, learner_id: str, certificate_id: str
) -> rows.Certificate | None:
    return await awaited(certificate_by_id_now(ctx, learner_id, certificate_id))


def certificate_by_id_now(
    ctx: RequestContext, learner_id: str, certificate_id: str
) -> MaybeAwaitable[rows.Certificate | None]:
    found = ctx.load_now(certificates_by_learner, learner_id)
    return then(found, lambda certificates: next((c for c in certificates if c.id == certificate_id), None))


async def evidence_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[rows.Evidence]]:
    return await grouped_by(ctx, EVIDENCE, learner_ids)


async def karma_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[int]:
    totals = {row.learner_id: int(row.points) for row in await fetch_rows(ctx, KARMA, {"keys": learner_ids})}
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
    items = await fetch_rows(ctx, PLAN_ITEMS, {"orgs": candidate_orgs, "learners": learner_ids})
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
    found: Sequence[DesignationCompetency] = []
    if wanted:
        found = await fetch_rows(ctx, DESIGNATION_NEEDS, {"orgs": all_orgs, "designations": keys})
    result: list[list[tuple[str, str | None]]] = []
    for learner_id in learner_ids:
        if learner_id not in wanted:
            result.append([])
            continue
        path, key = wanted[learner_id]
        mapped = [r for r in found if r.designation_key == key]
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
