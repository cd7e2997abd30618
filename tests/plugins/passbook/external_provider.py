"""A provider with one external course, for tests of external completions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from gateway.hookspecs import hookimpl
from gateway.testing import StaticProvider
from schema.providers import (
    CompetencyTag,
    CourseRecord,
    GradingResult,
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


class ExternalProvider(StaticProvider):
    name = "External Test Provider"
    delivery_mode = "EXTERNAL"

    def __init__(self) -> None:
        super().__init__("extprov", [RECORD])

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        raise LookupError(quiz_id)


class ExternalPlugin:
    @hookimpl
    def register_content_providers(self, gateway: object) -> list[ExternalProvider]:
        return [ExternalProvider()]
