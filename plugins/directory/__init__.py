"""The directory plugin: organisations, learners and competencies in the graph."""

from plugins.directory.plugin import (
    register_cache_dependencies,
    register_node_resolvers,
    register_schema,
)

__all__ = [
    "register_cache_dependencies",
    "register_node_resolvers",
    "register_schema",
]
