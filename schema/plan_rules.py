"""Plan rules: courses a plugin assigns to learners, beside the plan items
organisations store in the passbook (``register_plan_rules``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

DueDate = dt.date | Callable[[dt.date], dt.date]
"""A date, or a function of today's date (India Standard Time) giving one."""


@dataclass(frozen=True)
class PlanRule:
    """``course_id`` is due by ``due_date`` for every learner in the subtree of
    ``organisation_id`` (only those with ``designation``, when given).

    Rules live in code, not in the database: a plugin switched off takes its
    rules with it. A state module's rules apply only in the states that switch
    it on. ``id`` is unique within the plugin. ``due_date`` may be a function
    of today's date (``financial_year_end``): it is evaluated on each use, so a
    rule gathered at start-up never goes stale.
    """

    id: str
    course_id: str
    due_date: DueDate
    organisation_id: str
    designation: str | None = None
    mandatory: bool = True

    def due_on(self, today: dt.date) -> dt.date:
        """The due date as of ``today``."""
        return self.due_date(today) if callable(self.due_date) else self.due_date


def financial_year_end(today: dt.date) -> dt.date:
    """The next 31 March on or after ``today`` (Indian financial year end)."""
    end = dt.date(today.year, 3, 31)
    return end if today <= end else dt.date(today.year + 1, 3, 31)
