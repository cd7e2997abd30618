"""The lean server's schema: the types the dashboard reads, as a careful
engineer writes them by hand with Strawberry, each list through a DataLoader."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry import Info

from bench import dashboard_rules as rules
from bench.baseline_catalogue import PROVIDER_NAMES, Catalogue, CourseInfo
from bench.lean.loaders import LEARNER_BY_EMAIL, Loaders

DateTime = strawberry.scalar(
    name="DateTime",
    serialize=lambda value: value.astimezone(rules.IST).isoformat(),
    parse_value=dt.datetime.fromisoformat,
)


@dataclass
class Context:
    loaders: Loaders
    catalogue: Catalogue
    public_url: str
    who: str | None
    prefetched: dict[str, asyncio.Task[None]] = field(default_factory=dict)


def ctx(info: Info) -> Context:
    context: Context = info.context
    return context


@strawberry.enum
class CompetencyArea(enum.Enum):
    BEHAVIOURAL = "BEHAVIOURAL"
    FUNCTIONAL = "FUNCTIONAL"
    DOMAIN = "DOMAIN"


@strawberry.enum
class ProficiencyLevel(enum.Enum):
    BASIC = "BASIC"
    PROFICIENT = "PROFICIENT"
    ADVANCED = "ADVANCED"
    EXPERT = "EXPERT"
    USTAD = "USTAD"


@strawberry.enum
class EnrolmentStatus(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


@strawberry.enum
class AcquiredChannel(enum.Enum):
    COURSE = "COURSE"
    SELF_DECLARED = "SELF_DECLARED"
    EVENT = "EVENT"
    EXTERNAL_COURSE = "EXTERNAL_COURSE"
    EXTERNAL_TRAINING = "EXTERNAL_TRAINING"


@strawberry.enum
class PlanItemStatus(enum.Enum):
    UPCOMING = "UPCOMING"
    OVERDUE = "OVERDUE"
    DONE = "DONE"


async def records(info: Info, learner_id: str) -> None:
    """Read everything the learner's dashboard fields need in two waves, once
    per request: the learner's records, then every competency they name (so
    courses, passbook entries and recommendations share one statement instead
    of one each, whatever order the fields resolve in)."""
    context = ctx(info)
    task = context.prefetched.get(learner_id)
    if task is None:
        task = asyncio.ensure_future(_prefetch(context, learner_id))
        context.prefetched[learner_id] = task
    await task


async def _prefetch(context: Context, learner_id: str) -> None:
    loaders = context.loaders
    enrolments, evidence, _, _, plan, needs = await asyncio.gather(
        loaders.enrolments.load(learner_id),
        loaders.evidence.load(learner_id),
        loaders.certificates.load(learner_id),
        loaders.karma.load(learner_id),
        loaders.plan.load(learner_id),
        loaders.needs.load(learner_id),
    )
    courses = context.catalogue.courses
    wanted = {r[1] for r in evidence} | {cid for cid, _ in needs}
    for row in enrolments:
        found = courses.get(row[2])
        if found is not None:
            wanted |= {cid for cid, _ in found.competencies}
    await asyncio.gather(
        loaders.competencies.load_many(sorted(wanted)),
        loaders.organisations.load_many(sorted({p.organisation_id for p in plan})),
    )


def level_of(level: str | None) -> ProficiencyLevel | None:
    return ProficiencyLevel(level) if level else None


@strawberry.type
class Organisation:
    id: strawberry.ID
    name: str


async def organisation(info: Info, org_id: str) -> Organisation | None:
    row = await ctx(info).loaders.organisations.load(org_id)
    return Organisation(id=strawberry.ID(row[0]), name=row[1]) if row is not None else None


@strawberry.type
class Competency:
    id: strawberry.ID
    area: CompetencyArea
    theme: str
    sub_theme: str | None

    @classmethod
    def of(cls, row: Any) -> Competency:
        return cls(id=strawberry.ID(row[0]), area=CompetencyArea(row[1]), theme=row[2], sub_theme=row[3])


@strawberry.type
class CompetencyRequirement:
    competency: Competency
    level: ProficiencyLevel | None


@strawberry.type
class Provider:
    id: strawberry.ID
    name: str


@strawberry.type
class Course:
    id: strawberry.ID
    title: str
    info: strawberry.Private[CourseInfo]

    @strawberry.field
    def provider(self) -> Provider:
        return Provider(id=strawberry.ID(self.info.provider_id), name=PROVIDER_NAMES[self.info.provider_id])

    @strawberry.field
    async def competencies(self, info: Info) -> list[CompetencyRequirement]:
        rows = await ctx(info).loaders.competencies.load_many([cid for cid, _ in self.info.competencies])
        return [
            CompetencyRequirement(competency=Competency.of(row), level=level_of(level))
            for row, (_, level) in zip(rows, self.info.competencies, strict=True)
            if row is not None
        ]


def course(info: Info, course_id: str) -> Course:
    found = ctx(info).catalogue.courses.get(course_id)
    if found is None:
        raise LookupError(f"The course {course_id} is not in the catalogue.")
    return Course(id=strawberry.ID(found.id), title=found.title, info=found)


@strawberry.type
class Certificate:
    id: strawberry.ID
    access_code: str

    @strawberry.field
    def verify_url(self, info: Info) -> str:
        return f"{ctx(info).public_url}/passbook/verify/{self.id}?code={self.access_code}"

    @strawberry.field
    def download_url(self, info: Info) -> str:
        return f"{ctx(info).public_url}/passbook/certificates/{self.id}.pdf?code={self.access_code}"


@strawberry.type
class Enrolment:
    id: strawberry.ID
    status: EnrolmentStatus
    progress_percent: int
    row: strawberry.Private[Any]

    @strawberry.field
    def course(self, info: Info) -> Course:
        return course(info, self.row[2])

    @strawberry.field
    async def certificate(self, info: Info) -> Certificate | None:
        if self.row[3] != "COMPLETED":
            return None
        rows = await ctx(info).loaders.certificates.load(self.row[0])
        found = next((c for c in rows if c[2] == self.row[1]), None)
        return Certificate(id=strawberry.ID(found[1]), access_code=found[3]) if found is not None else None


@strawberry.type
class EnrolmentEdge:
    node: Enrolment


@strawberry.type
class EnrolmentConnection:
    total_count: int
    edges: list[EnrolmentEdge]


@strawberry.type
class Evidence:
    channel: AcquiredChannel
    context_id: strawberry.ID
    acquired_at: dt.datetime
    row: strawberry.Private[Any]

    @strawberry.field
    def course(self, info: Info) -> Course | None:
        course_id = self.row[5]
        return course(info, course_id) if course_id in ctx(info).catalogue.courses else None

    @strawberry.field
    async def certificate(self, info: Info) -> Certificate | None:
        if self.row[6] is None:
            return None
        rows = await ctx(info).loaders.certificates.load(self.row[0])
        found = next((c for c in rows if c[1] == self.row[6]), None)
        return Certificate(id=strawberry.ID(found[1]), access_code=found[3]) if found is not None else None


@strawberry.type
class PassbookEntry:
    competency: Competency
    level: ProficiencyLevel | None
    last_acquired_at: dt.datetime
    evidence: list[Evidence]


@strawberry.type
class Passbook:
    learner_id: strawberry.Private[str]

    @strawberry.field
    async def karma_points(self, info: Info) -> int:
        total: int = await ctx(info).loaders.karma.load(self.learner_id)
        return total

    @strawberry.field
    async def learning_hours(self, info: Info) -> float:
        rows = await ctx(info).loaders.enrolments.load(self.learner_id)
        return rules.learning_hours((r[3], r[5], r[6]) for r in rows)

    @strawberry.field
    async def entries(self, info: Info) -> list[PassbookEntry]:
        await records(info, self.learner_id)
        loaders = ctx(info).loaders
        grouped: dict[str, list[Any]] = {}
        for row in await loaders.evidence.load(self.learner_id):
            grouped.setdefault(row[1], []).append(row)
        competencies = await loaders.competencies.load_many(list(grouped))
        entries = [
            PassbookEntry(
                competency=Competency.of(comp),
                level=level_of(rules.highest_level(r[2] for r in rows)),
                last_acquired_at=max(r[7] for r in rows),
                evidence=[
                    Evidence(
                        channel=AcquiredChannel(r[3]), context_id=strawberry.ID(r[4]), acquired_at=r[7], row=r
                    )
                    for r in rows
                ],
            )
            for rows, comp in zip(grouped.values(), competencies, strict=True)
            if comp is not None
        ]
        entries.sort(
            key=lambda e: (e.competency.area.value, e.competency.theme, e.competency.sub_theme or "")
        )
        return entries


@strawberry.type
class PlanItem:
    due_date: dt.date
    status: PlanItemStatus
    course_id: strawberry.Private[str]
    organisation_id: strawberry.Private[str]

    @strawberry.field
    def course(self, info: Info) -> Course:
        return course(info, self.course_id)

    @strawberry.field
    async def assigned_by(self, info: Info) -> Organisation:
        found = await organisation(info, self.organisation_id)
        assert found is not None, "plan items name existing organisations"
        return found


@strawberry.type
class Recommendation:
    reason: str
    score: float
    course_id: strawberry.Private[str]
    gap_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field
    def course(self, info: Info) -> Course:
        return course(info, self.course_id)

    @strawberry.field
    async def gaps(self, info: Info) -> list[Competency]:
        rows = await ctx(info).loaders.competencies.load_many(list(self.gap_ids))
        return [Competency.of(row) for row in rows if row is not None]


@strawberry.type
class Learner:
    id: strawberry.ID
    name: str
    designation: str | None
    organisation_id: strawberry.Private[str | None]

    @strawberry.field
    def profile_complete(self) -> bool:
        return bool(self.organisation_id and (self.designation or "").strip())

    @strawberry.field(name="organisation")
    async def organisation_field(self, info: Info) -> Organisation | None:
        return await organisation(info, self.organisation_id) if self.organisation_id else None

    @strawberry.field
    async def enrolments(self, info: Info, first: int | None = 20) -> EnrolmentConnection:
        first = 20 if first is None else first
        if not 0 <= first <= 100:
            raise ValueError("first must be between 0 and 100.")
        await records(info, str(self.id))
        rows = await ctx(info).loaders.enrolments.load(str(self.id))
        return EnrolmentConnection(
            total_count=len(rows),
            edges=[
                EnrolmentEdge(
                    node=Enrolment(
                        id=strawberry.ID(r[1]), status=EnrolmentStatus(r[3]), progress_percent=r[4], row=r
                    )
                )
                for r in rows[:first]
            ],
        )

    @strawberry.field
    async def passbook(self, info: Info) -> Passbook:
        await records(info, str(self.id))
        return Passbook(learner_id=str(self.id))

    @strawberry.field
    async def plan(self, info: Info) -> list[PlanItem]:
        await records(info, str(self.id))
        loaders = ctx(info).loaders
        items, enrolments = await asyncio.gather(
            loaders.plan.load(str(self.id)), loaders.enrolments.load(str(self.id))
        )
        done = {r[2] for r in enrolments if r[3] == "COMPLETED"}
        on = rules.today()
        return [
            PlanItem(
                due_date=item.due_date,
                status=PlanItemStatus(rules.plan_status(item.due_date, item.course_id in done, on)),
                course_id=item.course_id,
                organisation_id=item.organisation_id,
            )
            for item in items
        ]

    @strawberry.field
    async def recommendations(self, info: Info, first: int | None = 5) -> list[Recommendation]:
        first = 5 if first is None else first
        if not 0 <= first <= 50:
            raise ValueError("first must be between 0 and 50.")
        context = ctx(info)
        loaders = context.loaders
        lid = str(self.id)
        await records(info, lid)
        needs, evidence, enrolments, plan = await asyncio.gather(
            loaders.needs.load(lid),
            loaders.evidence.load(lid),
            loaders.enrolments.load(lid),
            loaders.plan.load(lid),
        )
        held = {r[1] for r in evidence}
        ranked = rules.ranking(
            needs=[cid for cid, _ in needs],
            held=held,
            index=context.catalogue.index,
            enrolled=[(r[2], r[3]) for r in enrolments],
            plan=plan,
            first=first,
        )
        gaps = [cid for cid, _ in needs if cid not in held]
        competencies, orgs = await asyncio.gather(
            loaders.competencies.load_many(gaps),
            loaders.organisations.load_many(sorted({p.organisation_id for p in plan})),
        )
        explained = rules.explain(
            ranked,
            self.designation,
            {c[0]: rules.competency_name(c[2], c[3]) for c in competencies if c is not None},
            {o[0]: o[1] for o in orgs if o is not None},
        )
        return [
            Recommendation(reason=r.reason, score=r.score, course_id=r.course_id, gap_ids=r.gaps)
            for r in explained
        ]


@strawberry.type
class Query:
    @strawberry.field
    async def me(self, info: Info) -> Learner | None:
        context = ctx(info)
        who = context.who
        if not who:
            return None
        if not who.startswith("learner:"):
            rows = await context.loaders.rows(LEARNER_BY_EMAIL, email=who.lower())
            if not rows:
                return None
            who = rows[0][0]
        row = await context.loaders.learners.load(who)
        if row is None:
            return None
        return Learner(id=strawberry.ID(row[0]), name=row[1], designation=row[2], organisation_id=row[3])
