"""The lean server's reads: SQLAlchemy Core statements built once, one per
DataLoader batch, on the gateway's own tables (their ``Table`` objects, so the
column types, UTC datetimes included, behave the same on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from bench import dashboard_rules as rules
from gateway.directory.models import CompetencyRow, DesignationCompetencyRow, LearnerRow, OrganisationRow
from plugins.passbook.models import CertificateRow, EnrolmentRow, EvidenceRow, KarmaRow, PlanItemRow
from plugins.passbook.plans import EffectivePlanItem

learners_t = LearnerRow.__table__
orgs_t = OrganisationRow.__table__
competencies_t = CompetencyRow.__table__
needs_t = DesignationCompetencyRow.__table__
enrolments_t = EnrolmentRow.__table__
evidence_t = EvidenceRow.__table__
certificates_t = CertificateRow.__table__
karma_t = KarmaRow.__table__
plan_t = PlanItemRow.__table__

IDS = bindparam("ids", expanding=True)

LEARNERS = select(
    learners_t.c.id, learners_t.c.name, learners_t.c.designation, learners_t.c.organisation_id
).where(learners_t.c.id.in_(IDS))
LEARNER_BY_EMAIL = select(learners_t.c.id).where(func.lower(learners_t.c.email) == bindparam("email"))
ORGANISATIONS = select(orgs_t.c.id, orgs_t.c.name, orgs_t.c.path).where(orgs_t.c.id.in_(IDS))
COMPETENCIES = select(
    competencies_t.c.id, competencies_t.c.area, competencies_t.c.theme, competencies_t.c.sub_theme
).where(competencies_t.c.id.in_(IDS))
ENROLMENTS = (
    select(
        enrolments_t.c.learner_id,
        enrolments_t.c.id,
        enrolments_t.c.course_id,
        enrolments_t.c.status,
        enrolments_t.c.progress_percent,
        enrolments_t.c.duration_minutes,
        enrolments_t.c.completed_at,
    )
    .where(enrolments_t.c.learner_id.in_(IDS))
    .order_by(enrolments_t.c.enrolled_at.desc(), enrolments_t.c.id)
)
EVIDENCE = (
    select(
        evidence_t.c.learner_id,
        evidence_t.c.competency_id,
        evidence_t.c.level,
        evidence_t.c.channel,
        evidence_t.c.context_id,
        evidence_t.c.course_id,
        evidence_t.c.certificate_id,
        evidence_t.c.acquired_at,
    )
    .where(evidence_t.c.learner_id.in_(IDS))
    .order_by(evidence_t.c.acquired_at, evidence_t.c.id)
)
CERTIFICATES = (
    select(
        certificates_t.c.learner_id,
        certificates_t.c.id,
        certificates_t.c.enrolment_id,
        certificates_t.c.access_code,
    )
    .where(certificates_t.c.learner_id.in_(IDS))
    .order_by(certificates_t.c.issued_at, certificates_t.c.id)
)
KARMA = (
    select(karma_t.c.learner_id, func.coalesce(func.sum(karma_t.c.points), 0))
    .where(karma_t.c.learner_id.in_(IDS))
    .group_by(karma_t.c.learner_id)
)
PLAN = select(
    plan_t.c.id,
    plan_t.c.organisation_id,
    plan_t.c.course_id,
    plan_t.c.scope,
    plan_t.c.target,
    plan_t.c.due_date,
).where(
    or_(
        plan_t.c.organisation_id.in_(bindparam("orgs", expanding=True)),
        and_(plan_t.c.scope == "LEARNER", plan_t.c.target.in_(IDS)),
    )
)
NEEDS = (
    select(needs_t.c.organisation_id, needs_t.c.designation_key, needs_t.c.competency_id, needs_t.c.level)
    .where(
        needs_t.c.organisation_id.in_(bindparam("orgs", expanding=True)),
        needs_t.c.designation_key.in_(bindparam("keys", expanding=True)),
    )
    .order_by(needs_t.c.id)
)


class Loaders:
    """One set of DataLoaders per request."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.learners = DataLoader(self._by_key(LEARNERS))
        self.organisations = DataLoader(self._by_key(ORGANISATIONS))
        self.competencies = DataLoader(self._by_key(COMPETENCIES))
        self.enrolments = DataLoader(self._grouped(ENROLMENTS))
        self.evidence = DataLoader(self._grouped(EVIDENCE))
        self.certificates = DataLoader(self._grouped(CERTIFICATES))
        self.karma = DataLoader(self._karma)
        self.plan = DataLoader(self._plan)
        self.needs = DataLoader(self._needs)

    async def rows(self, statement: Any, **params: Any) -> Sequence[Row[Any]]:
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).all()

    def _by_key(self, statement: Any) -> Callable[[list[str]], Any]:
        async def load(keys: list[str]) -> list[Row[Any] | None]:
            found = {row[0]: row for row in await self.rows(statement, ids=keys)}
            return [found.get(key) for key in keys]

        return load

    def _grouped(self, statement: Any) -> Callable[[list[str]], Any]:
        async def load(keys: list[str]) -> list[list[Row[Any]]]:
            grouped: dict[str, list[Row[Any]]] = defaultdict(list)
            for row in await self.rows(statement, ids=keys):
                grouped[row[0]].append(row)
            return [grouped.get(key, []) for key in keys]

        return load

    async def _karma(self, keys: list[str]) -> list[int]:
        totals = {row[0]: int(row[1]) for row in await self.rows(KARMA, ids=keys)}
        return [totals.get(key, 0) for key in keys]

    async def _paths(self, keys: list[str]) -> tuple[list[Row[Any] | None], dict[str, str]]:
        learners = await self.learners.load_many(keys)
        org_ids = [lr[3] for lr in learners if lr is not None and lr[3]]
        orgs = {o[0]: o[2] for o in await self.organisations.load_many(org_ids) if o is not None}
        return learners, {lr[0]: orgs[lr[3]] for lr in learners if lr is not None and lr[3] in orgs}

    async def _plan(self, keys: list[str]) -> list[list[EffectivePlanItem]]:
        learners, paths = await self._paths(keys)
        orgs = sorted({org for path in paths.values() for org in rules.ancestors(path)})
        rows = await self.rows(PLAN, orgs=orgs, ids=keys)
        return [
            rules.effective_plan(rows, lr[0], lr[2], paths.get(lr[0])) if lr is not None else []
            for lr in learners
        ]

    async def _needs(self, keys: list[str]) -> list[list[tuple[str, str | None]]]:
        learners, paths = await self._paths(keys)
        wanted = {
            lr[0]: (paths[lr[0]], rules.name_key(lr[2]))
            for lr in learners
            if lr is not None and lr[0] in paths and lr[2]
        }
        if not wanted:
            return [[] for _ in keys]
        orgs = sorted({org for path, _ in wanted.values() for org in rules.ancestors(path)})
        rows = await self.rows(NEEDS, orgs=orgs, keys=sorted({key for _, key in wanted.values()}))
        result: list[list[tuple[str, str | None]]] = []
        for key in keys:
            if key not in wanted:
                result.append([])
                continue
            path, designation = wanted[key]
            mapped = [(r[0], r[2], r[3]) for r in rows if r[1] == designation]
            result.append(rules.designation_needs(mapped, path))
        return result
