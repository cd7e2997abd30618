"""Generates plugin packages (``karmayogi new-plugin``)."""

from __future__ import annotations

from gateway.scaffold.generate import PluginNames, ScaffoldError, new_plugin

__all__ = ["PluginNames", "ScaffoldError", "new_plugin"]
