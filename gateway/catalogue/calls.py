"""The gateway's calls to content providers, each measured once.

Every member of the provider protocol the gateway calls at request time goes
through one of these, so every provider, a third party's too, reports latency
(``karmayogi_provider_call_duration_seconds{provider, call}``, ``call`` being
the protocol member), failures (``karmayogi_provider_errors_total``) and, with
tracing on, a client span, without doing anything itself. A failure is an
exception other than the protocol's answers to bad input (``UnknownQuiz``,
``ValueError`` from ``grade_quiz``), or an answer that carries a ``problem``
(stale or missing data served), counted as kind ``degraded``, unless the
provider counted that failure itself from inside the call (see
``gateway.telemetry``). The cost is one timer and one histogram sample per
call, never per course.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from gateway.telemetry import provider_call
from schema.providers import UnknownQuiz

if TYPE_CHECKING:
    from gateway.host import Gateway
    from schema.providers import (
        CollectionRecord,
        ContentProvider,
        CourseBatch,
        GradingResult,
        ProviderHealth,
        SearchAnswer,
    )

DEGRADED = "degraded"


async def search(gateway: Gateway, provider: ContentProvider, text: str | None) -> SearchAnswer:
    async with provider_call(gateway, provider.id, "search") as call:
        answer = await provider.search(text)
        if answer.problem:
            call.fail(DEGRADED)
        return answer


async def courses_by_ids(gateway: Gateway, provider: ContentProvider, ids: Sequence[str]) -> CourseBatch:
    async with provider_call(gateway, provider.id, "courses_by_ids") as call:
        batch = await provider.courses_by_ids(ids)
        if batch.problem:
            call.fail(DEGRADED)
        return batch


async def collections(gateway: Gateway, provider: ContentProvider) -> list[CollectionRecord]:
    async with provider_call(gateway, provider.id, "collections"):
        return await provider.collections()


async def health(gateway: Gateway, provider: ContentProvider) -> ProviderHealth:
    async with provider_call(gateway, provider.id, "health"):
        return await provider.health()


async def healthy(gateway: Gateway, provider: ContentProvider) -> bool:
    async with provider_call(gateway, provider.id, "healthy"):
        return await provider.healthy()


async def course_count(gateway: Gateway, provider: ContentProvider) -> int | None:
    async with provider_call(gateway, provider.id, "course_count"):
        return await provider.course_count()


async def grade_quiz(
    gateway: Gateway, provider: ContentProvider, quiz_id: str, answers: Mapping[str, Sequence[int]]
) -> GradingResult:
    """Raises ``UnknownQuiz`` / ``ValueError`` as the provider does; those
    answer the learner's input and are not counted as provider failures."""
    async with provider_call(gateway, provider.id, "grade_quiz"):
        try:
            return await provider.grade_quiz(quiz_id, answers)
        except (UnknownQuiz, ValueError) as exc:
            refused = exc
    raise refused
