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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.errors import GatewayError, OperationLimit, code_of
from gateway.observability import current_request_id

if TYPE_CHECKING:
    from strawberry.types import ExecutionResult

    from gateway.host import Gateway

log = logging.getLogger("gateway.http")

MEDIA_JSON = "application/json"
MEDIA_GRAPHQL = "application/graphql-response+json"


class RequestError(Exception):
    """The HTTP request is not a GraphQL-over-HTTP request we can run."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class GraphQLParams:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header, or ``None`` (406).

    No header, ``*/*`` or ``application/*`` get ``application/json`` (the
    legacy type every client understands); ``application/graphql-response+json``
    when the client lists it at least as highly as ``application/json``.
    """
    if not accept or not accept.strip():
        return MEDIA_JSON
    weights: dict[str, float] = {}
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        weights[media] = max(q, weights.get(media, 0.0))
    gql = weights.get(MEDIA_GRAPHQL, 0.0)
    json_q = max(weights.get(MEDIA_JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    if gql > 0 and gql >= weights.get(MEDIA_JSON, 0.0):
        return MEDIA_GRAPHQL
    if json_q > 0:
        return MEDIA_JSON
    return None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes, whether or not
    the client sent ``Content-Length``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise RequestError(413, f"Request body is larger than {limit} bytes.")
        except ValueError as exc:
            raise RequestError(400, "Content-Length is not a number.") from exc
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"Request body is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_object(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestError(400, f"'{name}' must be a JSON object.")
    return value


def _params_from_mapping(data: dict[str, Any]) -> GraphQLParams:
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise RequestError(400, "'query' must be a string.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "'operationName' must be a string.")
    return GraphQLParams(
        query=query,
        variables=_json_object(data.get("variables"), "variables"),
        operation_name=operation_name or None,
        extensions=_json_object(data.get("extensions"), "extensions"),
    )


def _loads(raw: str | bytes, what: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, f"{what} is not valid JSON: {exc}") from exc


def params_from_get(request: Request) -> GraphQLParams:
    qp = request.query_params
    data: dict[str, Any] = {"query": qp.get("query"), "operationName": qp.get("operationName")}
    for key in ("variables", "extensions"):
        if qp.get(key):
            data[key] = _loads(qp[key], f"'{key}'")
    return _params_from_mapping(data)


_JSON_TYPE = re.compile(r"^application/json\s*(;.*)?$", re.IGNORECASE)


async def params_from_post(request: Request, gateway: Gateway) -> GraphQLParams | list[GraphQLParams]:
    content_type = request.headers.get("content-type", "")
    if not _JSON_TYPE.match(content_type.strip()):
        raise RequestError(
            415,
            "POST /graphql needs Content-Type: application/json "
            "(other types are refused to prevent cross-site requests).",
        )
    charset = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise RequestError(415, "Only UTF-8 encoded requests are accepted.")
    body = await read_body(request, gateway.settings.limits.max_body_bytes)
    if not body.strip():
        raise RequestError(400, "POST /graphql needs a JSON body.")
    data = _loads(body, "The request body")
    if isinstance(data, list):
        limits = gateway.settings.limits
        if not limits.batching:
            raise RequestError(400, "Batched operations are turned off on this gateway.")
        if not data or len(data) > limits.max_batch:
            raise RequestError(400, f"A batch holds 1 to {limits.max_batch} operations.")
        return [_params_from_mapping(_json_object(item, "batch item") or {}) for item in data]
    if not isinstance(data, dict):
        raise RequestError(400, "The request body must be a JSON object.")
    return _params_from_mapping(data)


def format_error(error: GraphQLError, gateway: Gateway) -> dict[str, Any]:
    code = code_of(error)
    formatted: dict[str, Any] = {"message": error.message}
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
        from gateway.request import build_context

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
            if request.method == "GET":
                params: GraphQLParams | list[GraphQLParams] = params_from_get(request)
            elif request.method == "POST":
                params = await params_from_post(request, self.gateway)
            else:
                raise RequestError(405, "Use GET or POST.", {"Allow": "GET, POST"})
            context = await build_context(self.gateway, request)
        except RequestError as exc:
            code = "OPERATION_LIMIT" if exc.status == 413 else "BAD_USER_INPUT"
            return _error_response(exc.status, exc.message, media, code, exc.headers)
        except GatewayError as exc:
            return _error_response(exc.http_status, exc.message, media, exc.code)
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
