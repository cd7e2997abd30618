"""Reading a GraphQL-over-HTTP request: media types, body, parameters.

Everything here runs before the document is parsed, so it refuses cheaply:
a body past the size limit (413, whether or not ``Content-Length`` was sent),
a content type a browser may send cross-site without a preflight (415),
JSON that is malformed or nested too deeply, variables past their size or
nesting limit, batches when batching is off or past its cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from starlette.requests import Request

    from gateway.settings import LimitsSettings

MEDIA_JSON = "application/json"
MEDIA_GRAPHQL = "application/graphql-response+json"


class RequestError(Exception):
    """The HTTP request is not a GraphQL-over-HTTP request we can run."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        code: str = "BAD_USER_INPUT",
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code
        self.extensions = extensions or {}


def limit_error(status: int, message: str) -> RequestError:
    return RequestError(status, message, code="OPERATION_LIMIT")


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
    the client sent ``Content-Length`` (a chunked body is counted as it
    streams in and dropped as soon as it passes the limit)."""
    too_large = f"The request body is larger than {limit} bytes."
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_size = int(declared)
        except ValueError as exc:
            raise RequestError(400, "Content-Length is not a number.") from exc
        if declared_size > limit:
            raise limit_error(413, too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise limit_error(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def loads(raw: str | bytes, what: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc):
            raise limit_error(400, f"{what} is nested too deeply.") from exc
        raise RequestError(400, f"{what} is not valid JSON: {exc}") from exc


def check_variables(variables: dict[str, Any] | None, limits: LimitsSettings) -> None:
    """Refuse variables nested deeper than ``max_variables_depth`` or larger
    than ``max_variables_bytes`` (measured on the decoded values, without
    recursion, stopping at the first limit passed)."""
    if not variables:
        return
    max_depth = limits.max_variables_depth
    max_size = limits.max_variables_bytes
    size = 0
    stack: list[tuple[Any, int]] = [(variables, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            raise limit_error(400, f"Variables are nested deeper than {max_depth} levels.")
        if isinstance(value, dict):
            size += 2
            for key, item in value.items():
                size += len(key) + 3
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            size += 2
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            size += len(value) + 2
        else:
            size += 8
        if size > max_size:
            raise limit_error(400, f"Variables are larger than {max_size} bytes.")


def _json_object(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestError(400, f"'{name}' must be a JSON object.")
    return value


def params_from_mapping(data: dict[str, Any], limits: LimitsSettings) -> GraphQLParams:
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise RequestError(400, "'query' must be a string.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "'operationName' must be a string.")
    variables = _json_object(data.get("variables"), "variables")
    check_variables(variables, limits)
    return GraphQLParams(
        query=query,
        variables=variables,
        operation_name=operation_name or None,
        extensions=_json_object(data.get("extensions"), "extensions"),
    )


def params_from_get(request: Request, limits: LimitsSettings) -> GraphQLParams:
    qp = request.query_params
    data: dict[str, Any] = {"query": qp.get("query"), "operationName": qp.get("operationName")}
    for key in ("variables", "extensions"):
        if qp.get(key):
            if key == "variables" and len(qp[key]) > limits.max_variables_bytes:
                raise limit_error(400, f"Variables are larger than {limits.max_variables_bytes} bytes.")
            data[key] = loads(qp[key], f"'{key}'")
    return params_from_mapping(data, limits)


_JSON_TYPE = re.compile(r"^application/json\s*(;.*)?$", re.IGNORECASE)


async def params_from_post(request: Request, limits: LimitsSettings) -> GraphQLParams | list[GraphQLParams]:
    content_type = request.headers.get("content-type", "")
    if not _JSON_TYPE.match(content_type.strip()):
        raise RequestError(
            415,
            "POST /graphql needs Content-Type: application/json "
            "(other types are refused to prevent cross-site requests).",
        )
    charset = re.search(r"charset=\"?([\w-]+)", content_type, re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise RequestError(415, "Only UTF-8 encoded requests are accepted.")
    body = await read_body(request, limits.max_body_bytes)
    if not body.strip():
        raise RequestError(400, "POST /graphql needs a JSON body.")
    data = loads(body, "The request body")
    if isinstance(data, list):
        if not limits.batching:
            raise RequestError(400, "Batched operations are turned off on this gateway.")
        if not data or len(data) > limits.max_batch:
            raise limit_error(400, f"A batch holds 1 to {limits.max_batch} operations.")
        return [params_from_mapping(_json_object(item, "batch item") or {}, limits) for item in data]
    if not isinstance(data, dict):
        raise RequestError(400, "The request body must be a JSON object.")
    return params_from_mapping(data, limits)
