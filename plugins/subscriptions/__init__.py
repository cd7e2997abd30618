"""Subscriptions: the graphql-transport-ws endpoint and the event bus behind it,
provided to other plugins as the ``EVENTS`` service (docs/subscriptions.md),
with its event outbox (``plugins.subscriptions.outbox``)."""

from plugins.subscriptions.plugin import (
    register_migrations,
    register_routes,
    register_services,
    register_settings_model,
    shutdown,
    startup,
)

__all__ = [
    "register_migrations",
    "register_routes",
    "register_services",
    "register_settings_model",
    "shutdown",
    "startup",
]
