"""ISTM: hosted courses synced from ISTM's catalogue feed into its own tables."""

from plugins.content_istm.plugin import (
    load_demo_data,
    register_cache_dependencies,
    register_content_providers,
    register_migrations,
)

__version__ = "0.1.0"
__all__ = [
    "load_demo_data",
    "register_cache_dependencies",
    "register_content_providers",
    "register_migrations",
]
