"""Remote Apollo Federation 2 subgraphs joined into the learner graph (docs/federation.md)."""

from plugins.subgraphs.plugin import (
    register_commands,
    register_routes,
    register_schema,
    register_settings_model,
    shutdown,
)

__all__ = ["register_commands", "register_routes", "register_schema", "register_settings_model", "shutdown"]
