"""Errors with the contract's ``extensions.code`` values."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError


class StartupError(RuntimeError):
    """Start-up cannot go on; the message names the plugin or key and the fix."""


class GatewayError(Exception):
    """An error a client is meant to see, with a stable ``extensions.code``."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def as_extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extensions}


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(GatewayError):
    code = "FORBIDDEN"
    http_status = 403


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"
    http_status = 400


class NotFound(GatewayError):
    code = "NOT_FOUND"
    http_status = 404


class Conflict(GatewayError):
    code = "CONFLICT"
    http_status = 409


class ProviderUnavailable(GatewayError):
    code = "PROVIDER_UNAVAILABLE"
    http_status = 503


class OperationLimit(GatewayError):
    code = "OPERATION_LIMIT"
    http_status = 400


def code_of(error: GraphQLError) -> str:
    """The ``extensions.code`` a GraphQL error is reported with."""
    original = error.original_error
    if isinstance(original, GatewayError):
        return original.code
    if error.extensions and isinstance(error.extensions.get("code"), str):
        return str(error.extensions["code"])
    if original is None or not error.path:
        # Parse and validation errors, and variable coercion failures (which
        # carry the scalar's ValueError but no path: nothing was resolved).
        return "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"
