"""A provider over any remote provider API URL, for checking it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gateway.provider_api.client import CircuitBreaker, RemoteCatalogue
from gateway.provider_api.records import record_of
from schema.providers import (
    CollectionRecord,
    CourseBatch,
    CourseSummary,
    DeliveryModeName,
    GradingResult,
    ProviderHealth,
    SearchAnswer,
    UnknownQuiz,
)


class RemoteApiProvider:
    """Reads a provider API with no cache, so every check reaches the remote."""

    name = "Remote provider API"
    delivery_mode: DeliveryModeName = "EXTERNAL"
    organisation_id = None

    def __init__(self, url: str, provider_id: str = "remote", timeout: float = 10.0) -> None:
        self.id = provider_id
        self.url = url
        self.remote = RemoteCatalogue(
            url, connect_timeout=timeout, read_timeout=timeout, breaker=CircuitBreaker(10**6, 1)
        )

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        await self.remote.close()

    async def healthy(self) -> bool:
        return (await self.health()).healthy

    async def health(self) -> ProviderHealth:
        ok = self.remote.last_problem is None
        return ProviderHealth(healthy=ok, status="reachable" if ok else str(self.remote.last_problem))

    async def course_count(self) -> int | None:
        return len((await self.search(None)).summaries)

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        local = [i.partition(":")[2] for i in ids]
        found = await self.remote.courses(local)
        return CourseBatch([record_of(x, self.id) if x is not None else None for x in found])

    async def search(self, text: str | None) -> SearchAnswer:
        items = await self.remote.search_all(text)
        return SearchAnswer([CourseSummary.of(record_of(x, self.id)) for x in items])

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        raise UnknownQuiz("external providers grade on their own platform")

    async def collections(self) -> list[CollectionRecord]:
        return []
