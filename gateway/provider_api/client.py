"""A client for a remote provider API (``provider_api.graphql``): time limits
and a circuit breaker. Every failure becomes :class:`ProviderError` (one
subclass per kind, whose name is the ``kind`` in the error metric).

Given a ``gateway``, each request is measured as ``api.<field>`` (latency,
failures by kind, a client span), and a request the open circuit refuses is
counted as a ``CircuitOpen`` failure without being sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Literal

import httpx
import orjson

from gateway.telemetry import provider_call, report_provider_failure
from schema.providers import ProviderError

if TYPE_CHECKING:
    from gateway.host import Gateway

COURSE_FIELDS = (
    "id title description languages durationMinutes category competencies { id level } externalUrl updatedAt"
)
PAGE_FIELDS = f"nodes {{ {COURSE_FIELDS} }} totalCount pageInfo {{ hasNextPage endCursor }}"
MAX_FIRST = 1000

CircuitState = Literal["closed", "open", "half_open"]


class CircuitOpen(ProviderError):
    """Not sent: the circuit is open."""


class ApiTimeout(ProviderError):
    """The API did not answer within the time limits."""


class ApiUnreachable(ProviderError):
    """The connection failed (refused, reset, DNS, TLS)."""


class ApiHttpError(ProviderError):
    """The API answered with an HTTP status other than 200."""


class ApiReportedError(ProviderError):
    """The API answered with GraphQL ``errors``."""


class ApiBadAnswer(ProviderError):
    """The API answered something that is not a well-formed answer."""


class CircuitBreaker:
    """``closed``: calls go out; ``threshold`` failures in a row open it.
    ``open``: calls are refused until ``reset_seconds`` have passed; the next
    call then goes out as a trial (``half_open``): success closes the circuit,
    failure opens it again. ``on_change(state)`` hears every transition."""

    def __init__(
        self,
        threshold: int,
        reset_seconds: float,
        on_change: Callable[[CircuitState], None] | None = None,
    ) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self.on_change = on_change
        self.state: CircuitState = "closed"
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def open(self) -> bool:
        """Refusing calls right now (open, and not yet time for a trial)."""
        return self.state == "open" and not self._trial_due()

    def _trial_due(self) -> bool:
        return self.opened_at is not None and time.monotonic() - self.opened_at >= self.reset_seconds

    def allow(self) -> bool:
        """Whether a call may go out now; the first one after ``reset_seconds``
        turns the circuit half-open."""
        if self.state != "open":
            return True
        if not self._trial_due():
            return False
        self._move("half_open")
        return True

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._move("closed")

    def failure(self) -> None:
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.threshold:
            self.opened_at = time.monotonic()
            self._move("open")

    def _move(self, state: CircuitState) -> None:
        if state != self.state:
            self.state = state
            if self.on_change is not None:
                self.on_change(state)


class RemoteCatalogue:
    """POSTs GraphQL to one provider API URL."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        breaker: CircuitBreaker,
        gateway: Gateway | None = None,
        provider_id: str = "ignou",
    ) -> None:
        self.url = url
        self.breaker = breaker
        self.gateway = gateway  # None: not measured (e.g. the conformance kit's checks)
        self.provider_id = provider_id
        self.requests = 0
        self.last_problem: str | None = None
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"accept": "application/json"},
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def query(self, document: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
        """POST ``document`` (whose root field is ``field``) through the circuit."""
        if not self.breaker.allow():
            if self.gateway is not None:
                report_provider_failure(self.gateway, self.provider_id, CircuitOpen.__name__)
            raise CircuitOpen(
                f"circuit open after {self.breaker.failures} failures "
                f"({self.last_problem}); retrying after {self.breaker.reset_seconds:g} s."
            )
        self.requests += 1
        measured: Any = (
            provider_call(self.gateway, self.provider_id, f"api.{field}")
            if self.gateway is not None
            else nullcontext()
        )
        try:
            async with measured:
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
            raise ApiTimeout("the provider API did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ApiUnreachable(f"cannot reach the provider API ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise ApiHttpError(f"the provider API answered HTTP {response.status_code}")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ApiBadAnswer("the provider API answered invalid JSON") from None
        if not isinstance(body, dict):
            raise ApiBadAnswer("the provider API answered something other than a JSON object")
        if body.get("errors"):
            first = body["errors"][0]
            message = first.get("message") if isinstance(first, dict) else str(first)
            raise ApiReportedError(f"the provider API reported an error: {message}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise ApiBadAnswer("the provider API answered without data")
        return data

    async def courses(self, ids: list[str]) -> list[dict[str, Any] | None]:
        data = await self.query(
            f"query($ids: [ID!]!) {{ courses(ids: $ids) {{ {COURSE_FIELDS} }} }}", {"ids": ids}, "courses"
        )
        found = data.get("courses")
        if not isinstance(found, list) or len(found) != len(ids):
            raise ApiBadAnswer("the provider API answered courses(ids) with a wrong-sized list")
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
            data = await self.query(document, {**variables, "first": MAX_FIRST, "after": after}, field)
            page = data.get(field)
            if not isinstance(page, dict) or not isinstance(page.get("nodes"), list):
                raise ApiBadAnswer(f"the provider API answered {field} without nodes")
            out.extend(page["nodes"])
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info.get("endCursor")
        raise ApiBadAnswer(f"the provider API's {field} paging never ended")
