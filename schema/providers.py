"""The content provider protocol: what an institute's plugin implements.

A provider is one source of courses ("istm", "ignou", ...). The gateway's
catalogue (``gateway.catalogue``) merges every provider into one graph; it only
ever talks to a provider through the members of :class:`ContentProvider` and
the plain records below, never through GraphQL types. See docs/providers.md.

Ids: every id a provider hands out is qualified by its provider id: a course
``istm:office-procedure``; its units, resources, quizzes and questions
``istm:office-procedure/<local id>`` (questions ``.../<quiz>/<question>``).
The part before the first ``/`` is always the course id.

Answer keys never appear in these records: :meth:`ContentProvider.grade_quiz`
grades inside the provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

DeliveryModeName = Literal["HOSTED", "EXTERNAL"]
RESOURCE_KINDS = (
    "VIDEO",
    "AUDIO",
    "DOCUMENT",
    "SCORM",
    "QUIZ",
    "SURVEY",
    "OFFLINE_SESSION",
    "LINK",
)


def course_id_of(qualified_id: str) -> str:
    """The course id inside a unit, resource, quiz or question id."""
    return qualified_id.split("/", 1)[0]


@dataclass(frozen=True)
class CompetencyTag:
    """A competency a course builds: a directory competency id, level optional."""

    competency_id: str
    level: str | None = None  # BASIC | PROFICIENT | ADVANCED | EXPERT | USTAD


@dataclass(frozen=True)
class QuestionRecord:
    id: str
    text: str
    options: tuple[str, ...]
    multiple_answers: bool = False


@dataclass(frozen=True)
class QuizRecord:
    """A quiz without its answer key."""

    id: str
    pass_percentage: int
    max_attempts: int | None
    questions: tuple[QuestionRecord, ...]


@dataclass(frozen=True)
class ResourceRecord:
    id: str
    title: str
    kind: str  # one of RESOURCE_KINDS
    required: bool
    duration_minutes: int | None = None
    content_url: str | None = None
    low_bandwidth_url: str | None = None
    quiz: QuizRecord | None = None  # set when kind == "QUIZ"


@dataclass(frozen=True)
class UnitRecord:
    id: str
    title: str
    resources: tuple[ResourceRecord, ...]


@dataclass(frozen=True)
class CourseRecord:
    """Everything the graph shows about one course, structure included."""

    id: str
    provider_id: str
    title: str
    description: str
    languages: tuple[str, ...]
    duration_minutes: int
    delivery_mode: DeliveryModeName
    updated_at: dt.datetime
    category: str | None = None
    competencies: tuple[CompetencyTag, ...] = ()
    units: tuple[UnitRecord, ...] = ()  # hosted courses only
    external_url: str | None = None  # external courses only

    def resources(self) -> list[ResourceRecord]:
        return [r for unit in self.units for r in unit.resources]

    @property
    def competency_ids(self) -> tuple[str, ...]:
        return tuple(tag.competency_id for tag in self.competencies)


@dataclass(frozen=True)
class CourseSummary:
    """The fields the catalogue filters, ranks and counts facets on."""

    id: str
    title: str
    languages: tuple[str, ...]
    duration_minutes: int
    delivery_mode: DeliveryModeName
    category: str | None = None
    competency_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, course: CourseRecord) -> CourseSummary:
        return cls(
            id=course.id,
            title=course.title,
            languages=course.languages,
            duration_minutes=course.duration_minutes,
            delivery_mode=course.delivery_mode,
            category=course.category,
            competency_ids=course.competency_ids,
        )


@dataclass(frozen=True)
class SearchAnswer:
    """Every course matching a search (or every course, for ``None``), as
    ``summaries``: what the catalogue ranks, filters, counts in facets and pages.

    ``stale`` with a ``problem``: the source failed and cached data was served.
    The catalogue then loads the page's full records through
    :meth:`ContentProvider.courses_by_ids`; a provider that received full records
    with its search (remote providers do) keeps them, so those loads need no
    second request.
    """

    summaries: list[CourseSummary]
    stale: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class CourseBatch:
    """Courses for a list of ids, in the same order, ``None`` for unknown ids."""

    courses: list[CourseRecord | None]
    stale: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class GradingResult:
    quiz_id: str
    correct: int
    total: int
    score_percent: int
    passed: bool
    pass_percentage: int


@dataclass(frozen=True)
class ProviderHealth:
    healthy: bool
    status: str  # plain words: "live", "serving the snapshot of ...", "circuit open ..."
    stale: bool = False


@dataclass(frozen=True)
class CollectionRecord:
    """A curated set of courses (any providers) for designations; empty = everyone."""

    id: str
    title: str
    description: str
    curated_by: str  # organisation id
    course_ids: tuple[str, ...]
    designations: tuple[str, ...] = ()


class ProviderError(Exception):
    """The provider's source failed and nothing (not even a stale copy) is available."""


class UnknownQuiz(LookupError):
    """``grade_quiz`` was given a quiz id the provider does not have."""


@runtime_checkable
class ContentProvider(Protocol):
    """One source of courses, identified by ``id`` ("istm", "ignou", ...).

    Reads are batched: the catalogue calls ``courses_by_ids`` once per
    resolution wave with every id it needs (one DataLoader per request), and
    ``search`` once per ``courses`` query. A provider that cannot reach its
    source answers from a cache with ``stale=True`` or raises
    :class:`ProviderError`; it never lets a timeout or a transport error out.
    """

    id: str
    name: str
    delivery_mode: DeliveryModeName
    organisation_id: str | None  # the directory organisation that runs it

    async def start(self) -> None:
        """Acquire connections; called once when the app starts."""

    async def close(self) -> None:
        """Release what ``start`` acquired."""

    async def healthy(self) -> bool:
        """False while the provider's source is failing or its circuit is open."""

    async def health(self) -> ProviderHealth:
        """``healthy`` plus a status in plain words (shown in ``providers``)."""

    async def course_count(self) -> int | None:
        """How many courses the provider offers, or ``None`` if unknown."""

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        """Courses for ``ids`` (provider-qualified), same order, ``None`` if unknown."""

    async def search(self, text: str | None) -> SearchAnswer:
        """Every course whose title or description matches ``text`` (all words,
        prefixes allowed); every course when ``text`` is ``None``."""

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        """Grade one attempt with the provider's answer key.

        ``answers`` maps question ids to the selected option indexes.
        A question is right when the selected set equals the key's set;
        unanswered questions are wrong. Raises :class:`UnknownQuiz` for an id
        the provider does not have and ``ValueError`` for an answer naming an
        unknown question or an option out of range.
        """

    async def collections(self) -> list[CollectionRecord]:
        """Collections this provider curates (may name other providers' courses)."""
