"""Shared selections: a part of an answer that is the same for every caller,
completed once and reused by every request that selects it.

A selection made only of fields declared ``shared`` (``schema.cache.SHARED``:
a course's title, provider and competencies, a competency's theme) on an
object with an ``id`` is a *root* (:class:`gateway.execution.plan.ObjectPlan`).
The walker keeps the completed value of a root per (root, object id, versions
of the scopes it reads, time windows of its ``time:`` declarations) and puts
the same value into the next answer that reaches that object. The versions are
those the answer cache read for the request before it ran (primary database,
in one statement), so a write that changes a course or a competency bumps
them and the next request completes the selection afresh: shared values are
never stale, exactly as cached answers are not. A value is kept only when it
was completed at once and without an error, and not in a request a resolver
marked ``NO_STORE``; without versions (the answer cache off, or the
operation's first sighting) nothing is shared.

Kept in process, least recently used dropped beyond ``max_entries``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from schema.cache import TIME
from schema.context import StateKey

VERSIONS: StateKey[dict[str, int]] = StateKey("execution.shared_versions")
"""The scope versions the answer cache read for this request (set before it runs)."""

MAX_ENTRIES = 20_000


class SharedAnswers:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: tuple[Any, ...]) -> Any:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        self._values[key] = value
        if len(self._values) > self.max_entries:
            self._values.popitem(last=False)

    def clear(self) -> None:
        self._values.clear()


def token(scopes: tuple[str, ...], versions: dict[str, int]) -> tuple[Any, ...]:
    """What a shared value of a selection reading ``scopes`` is valid for:
    their versions (with the epoch's and ``global``'s) and the current window
    of each ``time:`` scope."""
    parts: list[Any] = [versions[s] for s in sorted(versions) if not s.startswith("learner:")]
    now = time.time()
    for scope in scopes:
        if scope.startswith(TIME):
            parts.append(int(now // max(int(scope[len(TIME) :]), 1)))
    return tuple(parts)
