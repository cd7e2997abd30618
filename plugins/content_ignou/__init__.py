"""IGNOU: external courses read live from IGNOU's provider API (see provider_api.graphql)."""

from plugins.content_ignou.plugin import (
    load_demo_data,
    register_cache_dependencies,
    register_commands,
    register_content_providers,
    register_migrations,
    register_routes,
    register_settings_model,
    startup,
)

__version__ = "0.1.0"
__all__ = [
    "load_demo_data",
    "register_cache_dependencies",
    "register_commands",
    "register_content_providers",
    "register_migrations",
    "register_routes",
    "register_settings_model",
    "startup",
]
