from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from plugins.content_istm.sync import DEMO_FEED

_DEMO: dict[str, Any] = orjson.loads(DEMO_FEED.read_bytes())


@pytest.fixture
def demo_feed() -> dict[str, Any]:
    """A fresh, mutable copy of ISTM's demo feed."""
    return copy.deepcopy(_DEMO)
