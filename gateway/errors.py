"""Deprecated: the error classes live in ``schema.errors``; plugins import them
from ``gateway.api``. This module re-exports them for one release and warns
once when imported (docs/plugins.md, release notes)."""

from __future__ import annotations

import warnings

from schema.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    GatewayError,
    NotFound,
    OperationLimit,
    ProviderUnavailable,
    StartupError,
    Unauthenticated,
    code_of,
)

__all__ = [
    "BadUserInput",
    "Conflict",
    "Forbidden",
    "GatewayError",
    "NotFound",
    "OperationLimit",
    "ProviderUnavailable",
    "StartupError",
    "Unauthenticated",
    "code_of",
]

warnings.warn(
    "gateway.errors is deprecated; import the errors from gateway.api (docs/plugins.md, release notes).",
    DeprecationWarning,
    stacklevel=2,
)
