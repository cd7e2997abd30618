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
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.errors import GatewayError, OperationLimit, code_of
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
        if gateway.settings.is_production:
            formatted["message"] = "Internal server error; quote the requestId to support."
    formatted["extensions"] = extensions
    return formatted


def _error_response(
    status: int,
    message: str,
    media: str,
    code: str = "BAD_USER_INPUT",
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type=media, headers=headers)


class GraphQLEndpoint:
    """The ASGI endpoint mounted at ``/graphql``."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.ide_html = _ide_html() if gateway.settings.graphiql_enabled else None

    async def handle(self, request: Request) -> Response:
        accept = request.headers.get("accept")
        if (
            request.method == "GET"
            and self.ide_html is not None
            and "text/html" in (accept or "")
            and "query" not in request.query_params
        ):
            return HTMLResponse(self.ide_html)
        media = negotiate(accept)
        if media is None:
            return _error_response(406, f"Ask for {MEDIA_GRAPHQL} or {MEDIA_JSON} in Accept.", MEDIA_JSON)
        try:
            return await self._handle(request, media)
        except RequestError as exc:
            return _error_response(exc.status, exc.message, media, exc.code, exc.headers)
        except GatewayError as exc:
            return _error_response(
                exc.http_status, exc.message, media, exc.code, getattr(exc, "headers", None)
            )
        except Exception:
            log.exception("request failed")
            message = "Internal server error; quote the requestId to support."
            body = {
                "errors": [
                    {
                        "message": message,
                        "extensions": {
                            "code": "INTERNAL_SERVER_ERROR",
                            "requestId": current_request_id(),
                        },
                    }
                ]
            }
            return Response(orjson.dumps(body), status_code=500, media_type=media)

    async def _handle(self, request: Request, media: str) -> Response:
        from gateway.request import build_context

        limits = self.gateway.settings.limits
        if request.method == "GET":
            params: GraphQLParams | list[GraphQLParams] = params_from_get(request, limits)
        elif request.method == "POST":
            params = await params_from_post(request, limits)
        else:
            raise RequestError(405, "Use GET or POST.", {"Allow": "GET, POST"})
        context = await build_context(self.gateway, request)
        try:
            if isinstance(params, list):
                results = [await self.run(request, p, context, media) for p in params]
                status = max(s for s, _ in results) if media == MEDIA_GRAPHQL else 200
                return Response(orjson.dumps([b for _, b in results]), status_code=status, media_type=media)
            status, body = await self.run(request, params, context, media)
            headers = {"Allow": "POST"} if status == 405 else None
            return Response(orjson.dumps(body), status_code=status, media_type=media, headers=headers)
        finally:
            await context.close()

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
        if executed:
            return 200, body
        # Not executed: the document failed to parse or validate, or an
        # operation limit refused it. Both media types answer 400 here.
        return 400, body


def _ide_html() -> str:
    from strawberry.http.ides import get_graphql_ide_html

    html = get_graphql_ide_html("graphiql")
    welcome = (
        "`# Karmayogi learner graph (demo data in development).\\n"
        "# Sign in for learner-only fields: run `karmayogi token EMAIL` and add the header\\n"
        '#   {\\"Authorization\\": \\"Bearer <token>\\"}\\n'
        "# in the Headers tab below.\\n"
        '{\\n  organisations(search: \\"Personnel\\") { name children { name } }\\n'
        "  competencies(area: BEHAVIOURAL) { theme subTheme }\\n}\\n`"
    )
    start = html.find("const EXAMPLE_QUERY = `")
    end = html.find("`;", start)
    if start == -1 or end == -1:  # a Strawberry release changed the page; keep its default
        return html
    return html[: start + len("const EXAMPLE_QUERY = ")] + welcome + html[end + 1 :]
