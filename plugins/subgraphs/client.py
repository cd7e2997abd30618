"""HTTP to one subgraph: time limits, a bounded body, a circuit breaker and
per-subgraph metrics (``provider="subgraph.<name>"`` in the provider metrics)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import orjson

from gateway.provider_api.client import CircuitBreaker, CircuitState
from gateway.telemetry import provider_call, report_circuit_state, report_provider_failure
from schema.providers import ProviderError

if TYPE_CHECKING:
    from gateway.host import Gateway
    from plugins.subgraphs.settings import SubgraphSettings


class SubgraphCircuitOpen(ProviderError):
    """Not sent: the subgraph's circuit is open."""


class SubgraphTimeout(ProviderError):
    """No answer within the time limits."""


class SubgraphUnreachable(ProviderError):
    """The connection failed."""


class SubgraphHttpError(ProviderError):
    """An HTTP status other than 200."""


class SubgraphBadAnswer(ProviderError):
    """Not a well-formed GraphQL answer (invalid JSON, too big, no data, wrong shape)."""


class SubgraphReportedErrors(ProviderError):
    """``errors`` and no ``data``."""


class SubgraphClient:
    def __init__(self, settings: SubgraphSettings, gateway: Gateway | None) -> None:
        self.settings = settings
        self.gateway = gateway
        self.metric_name = f"subgraph.{settings.name}"
        self.requests = 0
        self.last_problem: str | None = None
        self.breaker = CircuitBreaker(
            settings.failure_threshold, settings.circuit_reset_seconds, self._circuit
        )
        self._http: httpx.AsyncClient | None = None

    def _circuit(self, state: CircuitState) -> None:
        if self.gateway is not None:
            report_circuit_state(self.gateway, self.metric_name, state)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            timeout = httpx.Timeout(
                self.settings.read_timeout_seconds, connect=self.settings.connect_timeout_seconds
            )
            self._http = httpx.AsyncClient(timeout=timeout, headers={"accept": "application/json"})
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def post(
        self, document: str, variables: dict[str, Any], headers: dict[str, str], call: str
    ) -> dict[str, Any]:
        """The answer's body (``data`` a dict, ``errors`` a list), or a :class:`ProviderError`."""
        name = self.settings.name
        if not self.breaker.allow():
            if self.gateway is not None:
                report_provider_failure(self.gateway, self.metric_name, SubgraphCircuitOpen.__name__)
            raise SubgraphCircuitOpen(
                f"subgraph {name!r} is not asked for {self.settings.circuit_reset_seconds:g} s after "
                f"{self.breaker.failures} failures ({self.last_problem})"
            )
        self.requests += 1
        try:
            if self.gateway is not None:
                async with provider_call(self.gateway, self.metric_name, call):
                    body = await self._post(document, variables, headers)
            else:
                body = await self._post(document, variables, headers)
        except ProviderError as exc:
            self.last_problem = str(exc)
            self.breaker.failure()
            raise
        self.breaker.success()
        self.last_problem = None
        return body

    async def _post(
        self, document: str, variables: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        name = self.settings.name
        limit = self.settings.max_response_bytes
        try:
            async with self._client().stream(
                "POST", self.settings.url, json={"query": document, "variables": variables}, headers=headers
            ) as response:
                if response.status_code != 200:
                    raise SubgraphHttpError(f"subgraph {name!r} answered HTTP {response.status_code}")
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise SubgraphBadAnswer(f"subgraph {name!r} answered more than {limit} bytes")
                chunks = bytearray()
                async for chunk in response.aiter_bytes():
                    chunks.extend(chunk)
                    if len(chunks) > limit:
                        raise SubgraphBadAnswer(f"subgraph {name!r} answered more than {limit} bytes")
        except httpx.TimeoutException:
            raise SubgraphTimeout(f"subgraph {name!r} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise SubgraphUnreachable(f"cannot reach subgraph {name!r} ({type(exc).__name__})") from None
        try:
            body = orjson.loads(bytes(chunks))
        except orjson.JSONDecodeError:
            raise SubgraphBadAnswer(f"subgraph {name!r} answered invalid JSON") from None
        if not isinstance(body, dict):
            raise SubgraphBadAnswer(f"subgraph {name!r} answered something other than a JSON object")
        errors = body.get("errors")
        if errors is not None and not isinstance(errors, list):
            raise SubgraphBadAnswer(f"subgraph {name!r} answered malformed errors")
        data = body.get("data")
        if data is None and errors:
            first = errors[0]
            message = first.get("message") if isinstance(first, dict) else None
            raise SubgraphReportedErrors(f"subgraph {name!r} answered errors without data: {message}")
        if not isinstance(data, dict):
            raise SubgraphBadAnswer(f"subgraph {name!r} answered without data")
        return {"data": data, "errors": [e for e in errors or [] if isinstance(e, dict)]}
