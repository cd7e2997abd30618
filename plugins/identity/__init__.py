"""Gateway sessions: signed tokens, refresh, revocation, development sign-in,
the registration policy, roles and approvals (docs/identity.md)."""

from plugins.identity.plugin import (
    principal_from_request,
    refuse_unrecognised,
    register_cache_dependencies,
    register_commands,
    register_migrations,
    register_routes,
    register_schema,
    register_services,
    register_settings_model,
    shutdown,
    startup,
)

__all__ = [
    "principal_from_request",
    "refuse_unrecognised",
    "register_cache_dependencies",
    "register_commands",
    "register_migrations",
    "register_routes",
    "register_schema",
    "register_services",
    "register_settings_model",
    "shutdown",
    "startup",
]
