"""Feeds for tests and benchmarks: ISTM's demo feed, whole or grown."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from plugins.content_istm.sync import DEMO_FEED


def demo_feed() -> dict[str, Any]:
    """A fresh, mutable copy of ISTM's demo feed."""
    feed: dict[str, Any] = orjson.loads(DEMO_FEED.read_bytes())
    return feed


def grown_feed(n: int) -> bytes:
    """The demo feed grown to ``n`` courses (renamed copies of its courses), no
    collections, as the bytes of a feed file."""
    feed = demo_feed()
    base = feed["courses"]
    feed["courses"] = []
    for i in range(n):
        course = copy.deepcopy(base[i % len(base)])
        course["id"] = f"{course['id']}-{i}"
        course["title"] = f"{course['title']} {i}"
        feed["courses"].append(course)
    feed["collections"] = []
    return orjson.dumps(feed)
