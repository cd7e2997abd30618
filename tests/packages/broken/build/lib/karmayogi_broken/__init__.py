"""Test plugin that cannot be imported: it needs a module nobody installed."""

from __future__ import annotations

import karmayogi_missing_dependency  # noqa: F401
