"""``/graphql``: GraphQL over HTTP in front of the composed Strawberry schema.

Strawberry's own views answer only ``application/json`` with HTTP 200; this
endpoint negotiates ``application/graphql-response+json`` and its status codes,
bounds the body, refuses CSRF-prone requests and formats every error with the
contract's ``extensions.code``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import orjson
from graphql import GraphQLError
from opentelemetry.trace import SpanKind
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.answers.cache import Answer
from gateway.context import OPERATION_NAME
from gateway.execution import BY_HASH
from gateway.execution import install as install_compiled_execution
from gateway.graphiql import GraphiQL
from gateway.http_params import (
    MEDIA_GRAPHQL,
    MEDIA_JSON,
    GraphQLParams,
    RequestError,
    negotiate,
    params_from_get,
    params_from_post,
)
from gateway.observability import current_request_id
from gateway.security.ratelimit import retry_after
from gateway.security.services import Services, services_of
from gateway.unavailable import MESSAGES, RETRY_AFTER_SECONDS, unavailable
from schema.errors import GatewayError, OperationLimit, code_of

if TYPE_CHECKING:
    from strawberry.types import ExecutionResult

    from gateway.host import Gateway

log = logging.getLogger("gateway.http")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def format_error(error: GraphQLError, gateway: Gateway) -> dict[str, Any]:
    code = code_of(error)
    message = error.message
    if not gateway.settings.suggestions_enabled:
        message = _SUGGESTION.sub("", message)
    formatted: dict[str, Any] = {"message": message}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = list(error.path)
    extensions: dict[str, Any] = {}
    if error.extensions:
        extensions.update(error.extensions)
    original = error.original_error
    if isinstance(original, GatewayError):
        extensions.update(original.as_extensions())
    extensions["code"] = code
    if code == "INTERNAL_SERVER_ERROR":
        extensions["requestId"] = current_request_id()
        store = unavailable(original)
        if store is not None:  # a lost connection: never the driver's words
            extensions["code"] = store
            extensions["retryable"] = True
            formatted["message"] = MESSAGES[store]
        elif gateway.settings.is_production:
            formatted["message"] = "Internal server error; quote the requestId to support."
    formatted["extensions"] = extensions
    return formatted


def _error_response(
    status: int,
    message: str,
    media: str,
    code: str = "BAD_USER_INPUT",
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    if status < 400 and media == MEDIA_GRAPHQL:
        status = 400  # no data entry: graphql-response+json needs a 4xx
    body = {"errors": [{"message": message, "extensions": {**(extensions or {}), "code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type=media, headers=headers)


@dataclass
class Outcome:
    """What one request came to, for metrics and the operation span."""

    operation: str | None = None
    outcome: str = "error"
    by_hash: bool = False
    cache_key: str | None = None  # where to store an answer for the response cache


def backend_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` is a lost or refused connection to the database or
    Redis rather than a fault of the gateway's (``gateway.unavailable``)."""
    return unavailable(exc) is not None


def _unavailable_response(store: str, media: str, cause: BaseException) -> Response:
    # The log gets the driver's words, not SQLAlchemy's (which add the SQL and
    # its parameters); the client gets which store, and when to retry.
    inner = getattr(cause, "orig", None) or cause
    first = (str(inner).strip().splitlines() or [""])[0][:200]
    log.warning("request failed: %s (%s: %s)", store, type(inner).__name__, first)
    extensions = {"code": store, "requestId": current_request_id(), "retryable": True}
    body = {"errors": [{"message": MESSAGES[store], "extensions": extensions}]}  # type: ignore[index]
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return Response(orjson.dumps(body), status_code=503, media_type=media, headers=headers)


def _read_only(params: GraphQLParams) -> bool:
    """Whether the operation is a query (safe to run again)."""
    from graphql import get_operation_ast, parse

    try:
        operation = get_operation_ast(parse(params.query or ""), params.operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation.value == "query"


class GraphQLEndpoint:
    """The ASGI endpoint mounted at ``/graphql``."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        install_compiled_execution(gateway, lambda error: format_error(error, gateway))
        self.ide = GraphiQL(gateway.settings) if gateway.settings.graphiql_enabled else None

    async def handle(self, request: Request) -> Response:
        accept = request.headers.get("accept")
        if (
            request.method == "GET"
            and self.ide is not None
            and "text/html" in (accept or "")
            and "query" not in request.query_params
        ):
            return self.ide.html()
        media = negotiate(accept)
        if media is None:
            return _error_response(406, f"Ask for {MEDIA_GRAPHQL} or {MEDIA_JSON} in Accept.", MEDIA_JSON)
        services = services_of(self.gateway)
        started = time.perf_counter()
        outcome = Outcome()
        if services.tracing is None:
            response = await self._respond(request, media, services, outcome)
        else:
            with services.tracing.span("graphql.request", kind=SpanKind.SERVER) as span:
                response = await self._respond(request, media, services, outcome)
                span.update_name(f"graphql {outcome.operation or 'anonymous'}")
                span.set_attribute("graphql.operation.name", outcome.operation or "")
                span.set_attribute("karmayogi.outcome", outcome.outcome)
                span.set_attribute("http.response.status_code", response.status_code)
                span.set_attribute("karmayogi.request_id", current_request_id())
        services.metrics.observe_request(outcome.operation, outcome.outcome, time.perf_counter() - started)
        return response

    async def _respond(self, request: Request, media: str, services: Services, outcome: Outcome) -> Response:
        try:
            response = await self._handle(request, media, services, outcome)
        except RequestError as exc:
            outcome.outcome = "rate_limited" if exc.status == 429 else "refused"
            return _error_response(exc.status, exc.message, media, exc.code, exc.headers, exc.extensions)
        except GatewayError as exc:
            outcome.outcome = "refused"
            return _error_response(exc.http_status, exc.message, media, exc.code)
        except Exception as exc:
            outcome.outcome = "error"
            extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": current_request_id()}
            store = unavailable(exc)
            if store is not None:  # before the operation (the session check) or outside it
                return _unavailable_response(store, media, exc)
            log.exception("request failed")
            message = "Internal server error; quote the requestId to support."
            body = {"errors": [{"message": message, "extensions": extensions}]}
            return Response(orjson.dumps(body), status_code=500, media_type=media)
        return response

    async def _take(
        self, services: Services, kind: Literal["address", "principal"], identity: str, cost: int
    ) -> None:
        wait = await services.take(kind, identity, cost)
        if wait > 0:
            seconds = retry_after(wait)
            raise RequestError(
                429,
                f"Too many requests from this {kind}; retry in {seconds} s.",
                {"Retry-After": seconds},
                code="RATE_LIMITED",
            )

    async def _cached(
        self,
        services: Services,
        resolved: list[tuple[GraphQLParams, bool]],
        context: Any,
        outcome: Outcome,
    ) -> bytes | None:
        """An anonymous catalogue query's cached answer, if there is one; else
        note where to store this answer."""
        cache = services.responses
        if len(resolved) != 1 or context.principal is not None:
            return None
        params = resolved[0][0]
        if not cache.eligible(params, self.gateway.settings.limits.max_tokens):
            return None
        try:
            key = await cache.key(params)
            body = await cache.get(key)
        except Exception as exc:  # Redis away: answer without the cache
            if services.link is None or unavailable(exc) != "REDIS_UNAVAILABLE":
                raise
            services.link.failed("cache", exc)
            return None
        services.metrics.cache_lookup("responses", body is not None)
        if body is None:
            outcome.cache_key = key
        return body

    async def _handle(self, request: Request, media: str, services: Services, outcome: Outcome) -> Response:
        from gateway.request import build_context

        settings = self.gateway.settings
        limited = settings.rate_limits_enabled
        if limited:
            address = request.client.host if request.client else "unknown"
            await self._take(services, "address", address, 1)
        limits = settings.limits
        if request.method == "GET":
            params: GraphQLParams | list[GraphQLParams] = params_from_get(request, limits)
        elif request.method == "POST":
            params = await params_from_post(request, limits)
        else:
            raise RequestError(405, "Use GET or POST.", {"Allow": "GET, POST"})
        batch = params if isinstance(params, list) else [params]
        outcome.operation = batch[0].operation_name if len(batch) == 1 else "batch"
        try:
            context = await build_context(self.gateway, request)
        except Exception as exc:  # the session check met a lost connection: it only reads
            if unavailable(exc) != "DATABASE_UNAVAILABLE":
                raise
            services.metrics.retried.inc()
            context = await build_context(self.gateway, request)
        try:
            if limited and context.principal is not None:
                learner = context.principal.learner_id
                await self._take(services, "principal", learner, len(batch))
            resolved = [await services.persisted.resolve(p) for p in batch]
            outcome.by_hash = all(by_hash for _, by_hash in resolved)
            cached = await self._cached(services, resolved, context, outcome)
            if cached is not None:
                outcome.outcome = "ok"
                hit = {"x-karmayogi-cache": "hit"}
                return Response(cached, status_code=200, media_type=media, headers=hit)
            results = []
            answer: Answer | None = None
            for p, by_hash in resolved:
                context.state[BY_HASH] = by_hash  # a persisted operation compiles at once
                if len(resolved) == 1:
                    answer = await self._answer(request, p, context, media, services)
                    if answer.cache == "hit":
                        outcome.outcome = "ok"
                        return Response(
                            answer.bytes(), media_type=media, headers={"x-karmayogi-answer": "hit"}
                        )
                    assert answer.body is not None
                    status, body = answer.status, answer.body
                else:
                    status, body = await self.run(request, p, context, media)
                if status == 503 and _read_only(p):
                    # A connection was lost under a query: run it once more on a
                    # fresh context (the pool has dropped the dead connections).
                    await context.close()
                    context = await build_context(self.gateway, request)
                    context.state[BY_HASH] = by_hash
                    services.metrics.retried.inc()
                    status, body = await self.run(request, p, context, media)
                    answer = None  # served as computed, not kept
                results.append((status, body))
            if outcome.operation is None:
                outcome.operation = context.state.get(OPERATION_NAME)
        finally:
            await context.close()
        statuses = [s for s, _ in results]
        bodies = [b for _, b in results]
        worst = max(statuses)
        outcome.outcome = (
            "error"
            if worst >= 500
            else "refused"
            if worst >= 400 or any("data" not in b for b in bodies)  # not run, whatever the status
            else "partial"
            if any("errors" in b for b in bodies)
            else "ok"
        )
        headers: dict[str, str] = {}
        if worst == 405:
            headers["Allow"] = "POST"
        if worst == 503:
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        max_age = settings.persisted_operations.get_max_age_seconds
        if (
            request.method == "GET"
            and outcome.by_hash
            and outcome.outcome == "ok"
            and context.principal is None
            and max_age > 0
        ):
            headers["Cache-Control"] = f"public, max-age={max_age}"
            headers["Vary"] = "Accept, Authorization, Cookie"
        if outcome.cache_key is not None and outcome.outcome == "ok":
            try:
                await services.responses.put(outcome.cache_key, orjson.dumps(bodies[0]))
            except Exception as exc:  # Redis away: the answer stands, uncached
                if services.link is None or unavailable(exc) != "REDIS_UNAVAILABLE":
                    raise
                services.link.failed("cache", exc)
            headers["x-karmayogi-cache"] = "miss"
        if isinstance(params, list):
            status = worst if media == MEDIA_GRAPHQL else 200
            return Response(orjson.dumps(bodies), status_code=status, media_type=media, headers=headers)
        if answer is not None and answer.cache in ("miss", "bypass"):
            headers["x-karmayogi-answer"] = answer.cache
        raw = answer.bytes() if answer is not None else orjson.dumps(bodies[0])
        return Response(raw, status_code=statuses[0], media_type=media, headers=headers)

    async def _answer(
        self, request: Request, params: GraphQLParams, context: Any, media: str, services: Services
    ) -> Answer:
        """The answer cache's integration point: cached bytes, or the answer
        computed (by the executor) and stored when it may be kept."""

        async def compute() -> tuple[int, dict[str, Any]]:
            return await self.run(request, params, context, media)

        return await services.answers.serve(context, params, compute)

    async def run(
        self, request: Request, params: GraphQLParams, context: Any, media: str
    ) -> tuple[int, dict[str, Any]]:
        """Execute one operation; return the HTTP status and the response body."""
        if not params.query:
            return 400, {
                "errors": [{"message": "No GraphQL query given.", "extensions": {"code": "BAD_USER_INPUT"}}]
            }
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        timeout = self.gateway.settings.limits.request_timeout_seconds
        try:
            result: ExecutionResult = await asyncio.wait_for(
                self.gateway.schema.execute(
                    params.query,
                    variable_values=params.variables,
                    context_value=context,
                    operation_name=params.operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=params.extensions,
                ),
                timeout=timeout,
            )
        except InvalidOperationTypeError:
            return 405, {
                "errors": [
                    {
                        "message": "Mutations are only accepted over POST.",
                        "extensions": {"code": "BAD_USER_INPUT"},
                    }
                ]
            }
        except (MissingQueryError, CannotGetOperationTypeError) as exc:
            message = str(exc) or "Could not tell which operation to run; pass operationName."
            return 400, {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
        except TimeoutError:
            error = GraphQLError(
                f"The operation took longer than {timeout:g} s and was stopped.",
                original_error=OperationLimit("timeout"),
            )
            return 200 if media == MEDIA_JSON else 504, {
                "data": None,
                "errors": [format_error(error, self.gateway)],
            }
        return self.render(result, context, media)

    def render(self, result: ExecutionResult, context: Any, media: str) -> tuple[int, dict[str, Any]]:
        errors = list(result.errors or []) + list(context.extra_errors)
        body: dict[str, Any] = {}
        # Parse and validation errors carry no path; resolver errors do.
        executed = result.data is not None or any(e.path for e in result.errors or []) or not result.errors
        if executed:
            body["data"] = result.data
        if errors:
            body["errors"] = [format_error(e, self.gateway) for e in errors]
        if result.extensions:
            body["extensions"] = result.extensions
        if any(unavailable(e.original_error) is not None for e in errors):
            # The database or Redis failed under the operation: what data there
            # is may be missing for that reason alone, so it is not an answer.
            body.pop("data", None)
            return 503, body
        if executed:
            return 200, body
        # Not executed. A document that does not parse or validate, or
        # variables that do not coerce: the GraphQL-over-HTTP spec's SHOULD
        # for application/json is 200 (no client we know of needs a 400, and
        # a 400 makes Apollo Client report them as a network error), and
        # application/graphql-response+json MUST answer 4xx. A refusal by the
        # gateway's own rules (an operation limit, introspection turned off)
        # stays 400 for both: it is abuse control that monitoring counts.
        if media == MEDIA_JSON and not any(
            isinstance(e.original_error, GatewayError) for e in result.errors or []
        ):
            return 200, body
        return 400, body
