"""Content types of the learner graph: providers, courses, structure, collections.

Built from the plain records of :mod:`schema.providers`; the catalogue core
(the ``catalogue`` plugin) resolves the root fields. Answer keys are never part
of these types.
"""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from strawberry import Info

from schema.common import Node, PageInfo
from schema.context import MaybeAwaitable, RequestView, context_of
from schema.directory import (
    CompetencyArea,
    CompetencyRequirement,
    Organisation,
    competency_requirements_now,
    organisation_or_none,
)
from schema.federation import entity_reference
from schema.providers import (
    CollectionRecord,
    ContentProvider,
    CourseRecord,
    QuizRecord,
    ResourceRecord,
    UnitRecord,
)
from schema.reads import COURSES_BY_ID, ENROLLED, PROVIDER_COURSE_COUNT, PROVIDER_HEALTH


@strawberry.enum
class DeliveryMode(enum.Enum):
    HOSTED = "HOSTED"
    EXTERNAL = "EXTERNAL"


@strawberry.enum
class ResourceKind(enum.Enum):
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"
    DOCUMENT = "DOCUMENT"
    SCORM = "SCORM"
    QUIZ = "QUIZ"
    SURVEY = "SURVEY"
    OFFLINE_SESSION = "OFFLINE_SESSION"
    LINK = "LINK"


@strawberry.type
class Provider(Node):
    id: strawberry.ID
    name: str
    delivery_mode: DeliveryMode
    source: strawberry.Private[ContentProvider]

    @classmethod
    def of(cls, provider: ContentProvider) -> Provider:
        return cls(
            id=strawberry.ID(provider.id),
            name=provider.name,
            delivery_mode=DeliveryMode(provider.delivery_mode),
            source=provider,
        )

    @strawberry.field(description="False while the provider's source is failing or its circuit is open.")
    async def healthy(self, info: Info) -> bool:
        return (await context_of(info).load(PROVIDER_HEALTH, self.source.id)).healthy

    @strawberry.field(
        description="What the provider is serving, in plain words: live, or a snapshot and since when."
    )
    async def status(self, info: Info) -> str:
        return (await context_of(info).load(PROVIDER_HEALTH, self.source.id)).status

    @strawberry.field
    async def course_count(self, info: Info) -> int | None:
        return await context_of(info).load(PROVIDER_COURSE_COUNT, self.source.id)

    @strawberry.field(description="The organisation that runs this provider.")
    async def organisation(self, info: Info) -> Organisation | None:
        return await organisation_or_none(info, self.source.organisation_id)


@strawberry.type
class Question:
    id: strawberry.ID
    text: str
    options: list[str]
    multiple_answers: bool


@strawberry.type
class Quiz:
    id: strawberry.ID
    pass_percentage: int
    max_attempts: int | None
    record: strawberry.Private[QuizRecord]
    course_id: strawberry.Private[str]

    @classmethod
    def of(cls, record: QuizRecord, course_id: str) -> Quiz:
        return cls(
            id=strawberry.ID(record.id),
            pass_percentage=record.pass_percentage,
            max_attempts=record.max_attempts,
            record=record,
            course_id=course_id,
        )

    @strawberry.field(
        description=(
            "Shown to enrolled learners only. Answer keys are never part of the graph. "
            "Empty for anyone the passbook does not report as enrolled in the course."
        )
    )
    async def questions(self, info: Info) -> list[Question]:
        if not await context_of(info).load(ENROLLED, self.course_id):
            return []
        return [
            Question(
                id=strawberry.ID(q.id),
                text=q.text,
                options=list(q.options),
                multiple_answers=q.multiple_answers,
            )
            for q in self.record.questions
        ]


@strawberry.type
class Resource:
    id: strawberry.ID
    title: str
    kind: ResourceKind
    duration_minutes: int | None
    content_url: str | None
    low_bandwidth_url: str | None = strawberry.field(
        description="A smaller rendition (audio-only, low bitrate, text) for poor connections."
    )
    required: bool = strawberry.field(
        description=("Counts toward completion. A required QUIZ must be passed; a required SURVEY answered.")
    )
    quiz: Quiz | None

    @classmethod
    def of(cls, record: ResourceRecord, course_id: str) -> Resource:
        return cls(
            id=strawberry.ID(record.id),
            title=record.title,
            kind=ResourceKind(record.kind),
            duration_minutes=record.duration_minutes,
            content_url=record.content_url,
            low_bandwidth_url=record.low_bandwidth_url,
            required=record.required,
            quiz=Quiz.of(record.quiz, course_id) if record.quiz else None,
        )


@strawberry.type
class CourseUnit:
    id: strawberry.ID
    title: str
    resources: list[Resource]

    @classmethod
    def of(cls, record: UnitRecord, course_id: str) -> CourseUnit:
        return cls(
            id=strawberry.ID(record.id),
            title=record.title,
            resources=[Resource.of(r, course_id) for r in record.resources],
        )


async def course_in_scope(
    ctx: RequestView, record: CourseRecord | None, course_id: str
) -> CourseRecord | None:
    """A state module's course is no entity for learners outside its states."""
    return record if await ctx.gateway.states.course_reaches_principal(ctx, course_id) else None


@strawberry.federation.type(keys=["id"])
class Course(Node):
    id: strawberry.ID
    title: str
    description: str
    languages: list[str]
    duration_minutes: int
    category: str | None
    external_url: str | None = strawberry.field(
        description="External courses: where the learner takes the course."
    )
    updated_at: dt.datetime
    delivery_mode: DeliveryMode
    record: strawberry.Private[CourseRecord]

    resolve_reference = entity_reference(COURSES_BY_ID, authorise=course_in_scope)  # federation: _entities

    @classmethod
    def maybe(cls, record: CourseRecord | None) -> Course | None:
        return cls.of(record) if record is not None else None

    @classmethod
    def of(cls, record: CourseRecord) -> Course:
        return cls.from_row(record)

    @classmethod
    def from_row(cls, record: CourseRecord) -> Course:
        return cls(
            id=strawberry.ID(record.id),
            title=record.title,
            description=record.description,
            languages=list(record.languages),
            duration_minutes=record.duration_minutes,
            category=record.category,
            external_url=record.external_url,
            updated_at=record.updated_at,
            delivery_mode=DeliveryMode(record.delivery_mode),
            record=record,
        )

    @strawberry.field
    def provider(self, info: Info) -> Provider:
        return Provider.of(context_of(info).gateway.providers[self.record.provider_id])

    @strawberry.field(graphql_type=list[CompetencyRequirement])
    def competencies(self, info: Info) -> MaybeAwaitable[list[CompetencyRequirement]]:
        tags = [(t.competency_id, t.level) for t in self.record.competencies]
        return competency_requirements_now(info, tags)

    @strawberry.field(description="Hosted courses: units of resources. External courses: empty.")
    def units(self) -> list[CourseUnit]:
        return [CourseUnit.of(u, self.record.id) for u in self.record.units]


@strawberry.input
class CourseFilter:
    providers: list[strawberry.ID] | None = None
    areas: list[CompetencyArea] | None = None
    competency_ids: list[strawberry.ID] | None = None
    language: str | None = None
    max_duration_minutes: int | None = None
    delivery_mode: DeliveryMode | None = None


@strawberry.type
class CourseEdge:
    cursor: str
    node: Course


@strawberry.type
class FacetCount:
    value: str
    count: int


@strawberry.type
class CourseFacets:
    categories: list[FacetCount]
    providers: list[FacetCount]
    areas: list[FacetCount]
    languages: list[FacetCount]


@strawberry.type
class CourseConnection:
    edges: list[CourseEdge]
    page_info: PageInfo
    total_count: int
    facets: CourseFacets = strawberry.field(
        description="Counts over the whole result (all pages), for browse-by menus."
    )


@strawberry.type(
    description=(
        "A curated set of courses for a role, e.g. Digital Literacy: cybersecurity, "
        "office tools, data privacy."
    )
)
class Collection(Node):
    id: strawberry.ID
    title: str
    description: str
    designations: list[str] = strawberry.field(
        description="Designations it is curated for; empty means everyone."
    )
    record: strawberry.Private[CollectionRecord]

    @classmethod
    def of(cls, record: CollectionRecord) -> Collection:
        return cls(
            id=strawberry.ID(record.id),
            title=record.title,
            description=record.description,
            designations=list(record.designations),
            record=record,
        )

    @strawberry.field
    async def curated_by(self, info: Info) -> Organisation:
        org = await organisation_or_none(info, self.record.curated_by)
        if org is None:
            raise LookupError(f"collection {self.id} names unknown organisation")
        return org

    @strawberry.field
    async def courses(self, info: Info) -> list[Course]:
        records = await context_of(info).load_many(COURSES_BY_ID, list(self.record.course_ids))
        return [Course.of(r) for r in records if r is not None]
