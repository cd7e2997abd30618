"""Abuse controls, persisted operations and observability (a built-in plugin)."""
