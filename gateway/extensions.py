"""The Strawberry extensions the core always installs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from strawberry.extensions import SchemaExtension

if TYPE_CHECKING:
    from gateway.settings import GatewaySettings

ExtensionSpec = type[SchemaExtension] | Callable[[], SchemaExtension]


def core_extensions(settings: GatewaySettings) -> list[ExtensionSpec]:
    """Extensions for every operation, as classes or factories (never instances)."""
    extensions: list[ExtensionSpec] = []
    return extensions
