"""A provider with one external course, for tests of external completions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from gateway.hookspecs import hookimpl
from schema.providers import (
    CollectionRecord,
    CompetencyTag,
    CourseBatch,
    CourseRecord,
    CourseSummary,
    GradingResult,
    ProviderHealth,
    SearchAnswer,
)

EXTERNAL_COURSE = "extprov:disaster-management"
COMPETENCIES = ("comp:domain-disaster-management-response-and-relief",)

RECORD = CourseRecord(
    id=EXTERNAL_COURSE,
    provider_id="extprov",
    title="Certificate in Disaster Management",
    description="Taken on the provider's own platform.",
    languages=("en",),
    duration_minutes=600,
    delivery_mode="EXTERNAL",
    updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    competencies=tuple(CompetencyTag(c) for c in COMPETENCIES),
    external_url="https://learn.example.invalid/dm",
)


class ExternalProvider:
    id = "extprov"
    name = "External Test Provider"
    delivery_mode = "EXTERNAL"
    organisation_id = None

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def healthy(self) -> bool:
        return True

    async def health(self) -> ProviderHealth:
        return ProviderHealth(healthy=True, status="live")

    async def course_count(self) -> int | None:
        return 1

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        return CourseBatch(courses=[RECORD if i == EXTERNAL_COURSE else None for i in ids])

    async def search(self, text: str | None) -> SearchAnswer:
        return SearchAnswer(summaries=[CourseSummary.of(RECORD)])

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        raise LookupError(quiz_id)

    async def collections(self) -> list[CollectionRecord]:
        return []


class ExternalPlugin:
    @hookimpl
    def register_content_providers(self, gateway: object) -> list[ExternalProvider]:
        return [ExternalProvider()]
