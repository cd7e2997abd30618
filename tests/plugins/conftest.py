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


@pytest.fixture
def big_feed() -> Any:
    """``big_feed(n)``: ISTM's demo feed grown to ``n`` courses (renamed copies), as bytes."""

    def make(n: int) -> bytes:
        feed = copy.deepcopy(_DEMO)
        base = feed["courses"]
        feed["courses"] = []
        for i in range(n):
            course = copy.deepcopy(base[i % len(base)])
            course["id"] = f"{course['id']}-{i}"
            course["title"] = f"{course['title']} {i}"
            feed["courses"].append(course)
        feed["collections"] = []
        return orjson.dumps(feed)

    return make
