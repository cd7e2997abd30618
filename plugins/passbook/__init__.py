"""The Competency Passbook: enrolments, certificates, plans (see docs/passbook.md)."""

from plugins.passbook.plugin import (
    load_demo_data,
    register_cache_dependencies,
    register_commands,
    register_migrations,
    register_node_resolvers,
    register_passbook_backend,
    register_routes,
    register_schema,
    register_settings_model,
    startup,
)

__version__ = "0.1.0"

__all__ = [
    "load_demo_data",
    "register_cache_dependencies",
    "register_commands",
    "register_migrations",
    "register_node_resolvers",
    "register_passbook_backend",
    "register_routes",
    "register_schema",
    "register_settings_model",
    "startup",
]
