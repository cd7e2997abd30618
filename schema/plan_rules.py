"""Plan rules: courses a plugin assigns to learners, beside the plan items
organisations store in the passbook (``register_plan_rules``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanRule:
    """``course_id`` is due by ``due_date`` for every learner in the subtree of
    ``organisation_id`` (only those with ``designation``, when given).

    Rules live in code, not in the database: a plugin switched off takes its
    rules with it. A state module's rules apply only in the states that switch
    it on. ``id`` is unique within the plugin.
    """

    id: str
    course_id: str
    due_date: dt.date
    organisation_id: str
    designation: str | None = None
    mandatory: bool = True


def financial_year_end(today: dt.date) -> dt.date:
    """The next 31 March on or after ``today`` (Indian financial year end)."""
    end = dt.date(today.year, 3, 31)
    return end if today <= end else dt.date(today.year + 1, 3, 31)
