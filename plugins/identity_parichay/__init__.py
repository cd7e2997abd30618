"""Parichay identity: sign-in through the government SSO (Parichay, Jan Parichay)
or any OpenID Connect issuer. The hooks live in :mod:`.plugin`."""

from plugins.identity_parichay.plugin import (
    principal_from_request,
    register_cache_dependencies,
    register_commands,
    register_migrations,
    register_routes,
    register_schema,
    register_settings_model,
    session_ended,
    shutdown,
)

__version__ = "0.1.0"

__all__ = [
    "principal_from_request",
    "register_cache_dependencies",
    "register_commands",
    "register_migrations",
    "register_routes",
    "register_schema",
    "register_settings_model",
    "session_ended",
    "shutdown",
]
