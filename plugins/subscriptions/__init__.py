"""Subscriptions: the graphql-transport-ws endpoint and the event bus behind it,
provided to other plugins as the ``EVENTS`` service (docs/subscriptions.md)."""

from plugins.subscriptions.plugin import (
    register_routes,
    register_services,
    register_settings_model,
    shutdown,
    startup,
)

__all__ = ["register_routes", "register_services", "register_settings_model", "shutdown", "startup"]
