"""The passbook backend protocol: where learning records live.

The passbook issue fills this in; the host relies only on the members below.
The content side calls the two methods below (see docs/providers.md); a
backend that lacks one is treated as "not enrolled" / "cannot take
completions yet" (completions then wait in the provider's table and are
replayed when a backend that has the method starts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ExternalCompletion:
    """An external provider's report that a learner completed a course.

    Delivered at least once: ``event_id`` (unique per provider) makes it
    idempotent, so a backend must ignore an event id it has already recorded.
    """

    provider_id: str
    event_id: str
    course_id: str  # provider-qualified, e.g. "ignou:cit"
    learner_id: str
    completed_at: dt.datetime
    score_percent: int | None = None
    certificate_url: str | None = None


@runtime_checkable
class PassbookBackend(Protocol):
    """The one active store of enrolments, certificates and passbook entries."""

    name: str

    async def enrolled_course_ids(self, learner_id: str, course_ids: Sequence[str]) -> set[str]:
        """Which of ``course_ids`` the learner is enrolled in (batched per request).

        The catalogue shows ``Quiz.questions`` only for these courses.
        """

    async def record_external_completion(self, completion: ExternalCompletion) -> None:
        """Record a completion reported by an external provider; idempotent by
        ``(provider_id, event_id)``. Raise to have it retried later."""
