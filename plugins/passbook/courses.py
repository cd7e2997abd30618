"""What the passbook needs to know about a course, read from its provider.

The passbook never talks GraphQL to content: it asks the provider (through the
content protocol in :mod:`schema.providers`) for course records and converts
them into the small frozen views below, which is all the completion rules use.
Quizzes are graded by the provider (``grade_quiz``); answer keys never reach
the passbook.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gateway.catalogue import calls
from schema.context import StateKey
from schema.errors import BadUserInput, NotFound, ProviderUnavailable

if TYPE_CHECKING:
    from gateway.host import Gateway

log = logging.getLogger(__name__)

VIEWED_KINDS = ("VIDEO", "AUDIO", "DOCUMENT")


@dataclass(frozen=True)
class QuizView:
    id: str
    pass_percentage: int
    max_attempts: int | None
    # question id -> (number of options, several answers allowed)
    questions: Mapping[str, tuple[int, bool]]


@dataclass(frozen=True)
class LeafView:
    id: str
    title: str
    kind: str
    required: bool
    duration_minutes: int | None = None
    quiz: QuizView | None = None


@dataclass(frozen=True)
class CourseView:
    id: str
    provider_id: str
    provider_name: str
    title: str
    duration_minutes: int
    external: bool
    external_url: str | None
    competencies: tuple[tuple[str, str | None], ...]
    leaves: tuple[LeafView, ...]

    def leaf(self, resource_id: str) -> LeafView | None:
        return next((leaf for leaf in self.leaves if leaf.id == resource_id), None)

    @property
    def counted_leaves(self) -> tuple[LeafView, ...]:
        """The leaves that count toward completion: the required ones (every
        leaf, for a course that marks none required)."""
        required = tuple(leaf for leaf in self.leaves if leaf.required)
        return required or self.leaves


def _quiz_view(quiz: Any) -> QuizView:
    return QuizView(
        id=str(quiz.id),
        pass_percentage=int(quiz.pass_percentage),
        max_attempts=quiz.max_attempts,
        questions={str(q.id): (len(q.options), bool(q.multiple_answers)) for q in quiz.questions},
    )


def course_view(record: Any, provider: Any) -> CourseView:
    """Convert a provider's course record (see ``schema.providers.CourseRecord``)."""
    leaves = tuple(
        LeafView(
            id=str(res.id),
            title=res.title,
            kind=str(res.kind),
            required=bool(res.required),
            duration_minutes=res.duration_minutes,
            quiz=_quiz_view(res.quiz) if getattr(res, "quiz", None) is not None else None,
        )
        for unit in record.units
        for res in unit.resources
    )
    return CourseView(
        id=str(record.id),
        provider_id=str(record.provider_id),
        provider_name=str(provider.name),
        title=record.title,
        duration_minutes=int(record.duration_minutes),
        external=record.delivery_mode == "EXTERNAL",
        external_url=record.external_url,
        competencies=tuple((t.competency_id, t.level) for t in record.competencies),
        leaves=leaves,
    )


def provider_of(gateway: Gateway, course_id: str) -> Any:
    prefix, sep, _ = course_id.partition(":")
    return gateway.providers.get(prefix) if sep else None


async def load_courses(gateway: Gateway, ids: Sequence[str]) -> dict[str, CourseView | None]:
    """Course views for ``ids``, one ``courses_by_ids`` call per provider.

    A provider that fails raises ``PROVIDER_UNAVAILABLE`` naming it: a write
    must not go on with a course it cannot see.
    """
    grouped: dict[str, list[str]] = defaultdict(list)
    found: dict[str, CourseView | None] = dict.fromkeys(ids)
    for course_id in ids:
        provider = provider_of(gateway, course_id)
        if provider is not None:
            grouped[provider.id].append(course_id)
    for provider_id, course_ids in grouped.items():
        provider = gateway.providers[provider_id]
        try:
            batch = await calls.courses_by_ids(gateway, provider, course_ids)
        except Exception as exc:
            raise ProviderUnavailable(
                f"Content provider {provider_id!r} is unavailable: {exc}", provider=provider_id
            ) from exc
        for course_id, record in zip(course_ids, batch.courses, strict=True):
            found[course_id] = course_view(record, provider) if record is not None else None
    return found


async def require_course(gateway: Gateway, course_id: str) -> CourseView:
    course = (await load_courses(gateway, [course_id]))[course_id]
    if course is None:
        raise NotFound(f"No course {course_id}.")
    return course


async def grade(
    gateway: Gateway, course: CourseView, quiz: QuizView, answers: Mapping[str, Sequence[int]]
) -> tuple[int, bool]:
    """``(score_percent, passed)`` from the provider's answer key."""
    provider = gateway.providers[course.provider_id]
    try:
        result = await calls.grade_quiz(gateway, provider, quiz.id, answers)
    except ValueError as exc:
        raise BadUserInput(str(exc)) from exc
    except LookupError as exc:
        raise NotFound(f"The provider does not know quiz {quiz.id}.") from exc
    except Exception as exc:
        raise ProviderUnavailable(
            f"Content provider {course.provider_id!r} could not grade the quiz: {exc}",
            provider=course.provider_id,
        ) from exc
    return int(result.score_percent), bool(result.passed)


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title: str
    duration_minutes: int
    competency_ids: tuple[str, ...]


@dataclass(frozen=True)
class CatalogueIndex:
    """Every course of every provider, by id and by the competencies it builds,
    so that ranking looks only at the courses that can close a gap."""

    by_id: Mapping[str, CatalogueEntry]
    by_competency: Mapping[str, tuple[CatalogueEntry, ...]]

    @classmethod
    def of(cls, entries: Sequence[CatalogueEntry]) -> CatalogueIndex:
        by_competency: dict[str, list[CatalogueEntry]] = defaultdict(list)
        for entry in entries:
            for competency_id in dict.fromkeys(entry.competency_ids):
                by_competency[competency_id].append(entry)
        return cls(
            by_id={entry.id: entry for entry in entries},
            by_competency={cid: tuple(found) for cid, found in by_competency.items()},
        )


@dataclass(frozen=True)
class Listing:
    entries: list[CatalogueEntry]
    failed: list[str]  # providers that did not answer
    degraded: list[str]  # providers that answered from stale data or with a problem


async def catalogue(gateway: Gateway) -> Listing:
    """Every course of every provider (summaries), and the providers that failed."""
    entries: list[CatalogueEntry] = []
    failed: list[str] = []
    degraded: list[str] = []
    for provider_id, provider in sorted(gateway.providers.items()):
        try:
            answer = await calls.search(gateway, provider, None)
        except Exception:
            failed.append(provider_id)
            continue
        if answer.stale or answer.problem:
            degraded.append(provider_id)
        entries.extend(
            CatalogueEntry(
                id=str(s.id),
                title=s.title,
                duration_minutes=int(s.duration_minutes),
                competency_ids=tuple(s.competency_ids),
            )
            for s in answer.summaries
        )
    return Listing(entries, failed, degraded)


INDEX_KEY: StateKey[tuple[int, float, CatalogueIndex]] = StateKey("passbook.catalogue_index")


async def catalogue_index(gateway: Gateway, max_age_seconds: float) -> tuple[CatalogueIndex, list[str], bool]:
    """The catalogue index, the providers that failed to answer, and whether
    the index is one that may be kept (every provider answered afresh).

    An index built from every provider is kept for ``max_age_seconds`` (0: not
    kept) and dropped at once when the catalogue version moves on
    (:func:`gateway.api.catalogue_changed`, which
    ``karmayogi catalogue sync`` calls). An index missing a failed provider, or
    holding a provider's stale answer, is never kept, so the next request asks
    again (and reports the failure again). When the catalogue version cannot
    be read (Redis unreachable), the index is built for this request only:
    recommendations never fail because the cache is down.
    """
    from gateway.security.services import services_of

    version: int | None = None
    if max_age_seconds > 0:
        try:
            version = await services_of(gateway).responses.version()
        except Exception as exc:  # Redis down: rank from a fresh listing, keep nothing
            log.warning("catalogue version unavailable (%s); not keeping the index", type(exc).__name__)
    kept: tuple[int, float, CatalogueIndex] | None = gateway.state.get(INDEX_KEY)
    now = time.monotonic()
    if version is not None and kept is not None and kept[0] == version and now - kept[1] < max_age_seconds:
        return kept[2], [], True
    listing = await catalogue(gateway)
    index = CatalogueIndex.of(listing.entries)
    keepable = not listing.failed and not listing.degraded
    if version is not None and keepable:
        gateway.state[INDEX_KEY] = (version, now, index)
    return index, listing.failed, keepable
