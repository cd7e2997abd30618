"""A client for a remote provider API (``provider_api.graphql``): time limits
and a circuit breaker. Every failure becomes :class:`ProviderError`."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from schema.providers import ProviderError

COURSE_FIELDS = (
    "id title description languages durationMinutes category competencies { id level } externalUrl updatedAt"
)
PAGE_FIELDS = f"nodes {{ {COURSE_FIELDS} }} totalCount pageInfo {{ hasNextPage endCursor }}"
MAX_FIRST = 1000


class CircuitBreaker:
    """Opens after ``threshold`` failures in a row; after ``reset_seconds`` one
    trial call is let through (half-open): success closes it, failure re-opens."""

    def __init__(self, threshold: int, reset_seconds: float) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def open(self) -> bool:
        if self.opened_at is None:
            return False
        return time.monotonic() - self.opened_at < self.reset_seconds

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()


class RemoteCatalogue:
    """POSTs GraphQL to one provider API URL."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        breaker: CircuitBreaker,
    ) -> None:
        self.url = url
        self.breaker = breaker
        self.requests = 0
        self.last_problem: str | None = None
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"accept": "application/json"},
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        if self.breaker.open:
            raise ProviderError(
                f"circuit open after {self.breaker.failures} failures "
                f"({self.last_problem}); retrying after {self.breaker.reset_seconds:g} s."
            )
        self.requests += 1
        try:
            data = await self._post(document, variables)
        except ProviderError as exc:
            self.last_problem = str(exc)
            self.breaker.failure()
            raise
        self.breaker.success()
        self.last_problem = None
        return data

    async def _post(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(self.url, json={"query": document, "variables": variables})
        except httpx.TimeoutException:
            raise ProviderError("the provider API did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ProviderError(f"cannot reach the provider API ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise ProviderError(f"the provider API answered HTTP {response.status_code}")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ProviderError("the provider API answered invalid JSON") from None
        if not isinstance(body, dict):
            raise ProviderError("the provider API answered something other than a JSON object")
        if body.get("errors"):
            first = body["errors"][0]
            message = first.get("message") if isinstance(first, dict) else str(first)
            raise ProviderError(f"the provider API reported an error: {message}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise ProviderError("the provider API answered without data")
        return data

    async def courses(self, ids: list[str]) -> list[dict[str, Any] | None]:
        data = await self.query(
            f"query($ids: [ID!]!) {{ courses(ids: $ids) {{ {COURSE_FIELDS} }} }}", {"ids": ids}
        )
        found = data.get("courses")
        if not isinstance(found, list) or len(found) != len(ids):
            raise ProviderError("the provider API answered courses(ids) with a wrong-sized list")
        return found

    async def search_all(self, text: str | None) -> list[dict[str, Any]]:
        """Every match, following cursors (one request per 1,000 courses)."""
        return await self._all("search", "text: $text", {"text": text}, "$text: String")

    async def updated_since(self, since: str | None) -> list[dict[str, Any]]:
        return await self._all("coursesUpdatedSince", "since: $since", {"since": since}, "$since: DateTime")

    async def _all(
        self, field: str, arg: str, variables: dict[str, Any], declared: str
    ) -> list[dict[str, Any]]:
        document = (
            f"query({declared}, $first: Int, $after: String) "
            f"{{ {field}({arg}, first: $first, after: $after) {{ {PAGE_FIELDS} }} }}"
        )
        out: list[dict[str, Any]] = []
        after = None
        for _ in range(10_000):
            data = await self.query(document, {**variables, "first": MAX_FIRST, "after": after})
            page = data.get(field)
            if not isinstance(page, dict) or not isinstance(page.get("nodes"), list):
                raise ProviderError(f"the provider API answered {field} without nodes")
            out.extend(page["nodes"])
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info.get("endCursor")
        raise ProviderError(f"the provider API's {field} paging never ended")
