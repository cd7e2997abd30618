"""Per-state modules: plugins whose contributions reach one state's officials."""

from __future__ import annotations

from gateway.states.fields import StateScoped, scope_contribution
from gateway.states.scope import StateScope

__all__ = ["StateScope", "StateScoped", "scope_contribution"]
