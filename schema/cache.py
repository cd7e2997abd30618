"""What the answer cache needs to know from plugins: what a field's answer
depends on, and which dependencies a write to a table changes.

A **scope** names a part of the data with its own version number, e.g.
``learner:<id>`` (one learner's records), ``directory``, ``catalogue``,
``plans``. A cached answer is used only while every scope it read still has
the version it had when the answer was computed; every write bumps the scopes
of the rows it changes, in its own transaction (docs/caching.md).

In a field declaration (``fields``), these names are templates:

* ``"learner"``: the records of the learner who owns the object (along
  ``me``: the signed-in learner). Under a learner another field led to
  (``Organisation.members``), the answer cannot be cached.
* ``"same-learner"``: on a field returning a ``Learner``, it is the learner who
  owns the parent object (``Query.me``, ``Enrolment.learner``). Without it, a
  ``Learner`` a field returns is someone else's.
* ``"day"``: today's date in Asia/Kolkata (for fields such as "overdue").
* ``"shared"`` (:data:`SHARED`), declared on a field by name (never through
  ``"Type.*"``): the field's value is the same for every caller, depending on
  nothing but the other scopes it names (no principal, no request, no time of
  day). A selection made only of such fields, on an object with an ``id``, is
  completed once per object and version and shared by every request that
  selects it (``gateway.execution``: a course's title, provider and
  competencies in each dashboard).
* ``"time:<seconds>"`` (``within(seconds)``): the answer is kept at most that
  long (for data a provider may change without telling the gateway).
* anything else is a scope as written (``"directory"``, ``"catalogue"``,
  ``"plans"``, ``"roles"``, or a plugin's own such as ``"haryana:codes"``,
  bumped with ``gateway.api.bump_cache_scopes``).

A value may also be a function of the request context returning concrete
scopes. ``"Type.*"`` declares every field of a type at once. A field without
a declaration makes any answer that selects it uncacheable.

In ``tables``, a table name maps to the scopes a write to it bumps (a list,
or a function ``(session, row) -> scopes`` for rows the ORM writes). A row
with a ``learner_id`` column also bumps ``learner:<learner_id>``; a write to a
table nobody declared bumps ``global``, which every cached answer reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schema.context import StateKey

LEARNER = "learner"
SAME_LEARNER = "same-learner"
DAY = "day"
SHARED = "shared"
GLOBAL = "global"
DIRECTORY = "directory"
CATALOGUE = "catalogue"
PLANS = "plans"
ROLES = "roles"

TIME = "time:"

NO_STORE: StateKey[bool] = StateKey("answers.no_store")
"""Set ``ctx.state[NO_STORE] = True`` in a resolver whose answer must not be
kept this time (a provider served an old snapshot); the next request computes
it again."""

FieldScopes = Sequence[str] | Callable[[Any], Iterable[str]]
TableScopes = Sequence[str] | Callable[[Any, Any], Iterable[str]]


@dataclass(frozen=True)
class CacheDependencies:
    """A plugin's answer to ``register_cache_dependencies``."""

    fields: Mapping[str, FieldScopes] = field(default_factory=dict)
    tables: Mapping[str, TableScopes] = field(default_factory=dict)


def within(seconds: int) -> str:
    """A declaration keeping answers at most ``seconds``."""
    return f"{TIME}{int(seconds)}"


def learner_scope(learner_id: str) -> str:
    return f"learner:{learner_id}"
