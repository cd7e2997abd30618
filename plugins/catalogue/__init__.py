"""The catalogue plugin: courses, providers and collections in the graph."""

from plugins.catalogue.plugin import (
    register_cache_dependencies,
    register_commands,
    register_schema,
)

__all__ = [
    "register_cache_dependencies",
    "register_commands",
    "register_schema",
]
