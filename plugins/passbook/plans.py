"""Annual capacity building plans: which assigned courses apply to a learner,
and each item's status (UPCOMING, OVERDUE, DONE) with dates in Asia/Kolkata.

An item assigned to ALL_LEARNERS of an organisation applies to every learner
in its subtree; DESIGNATION to those of the subtree with that designation
(compared case- and space-insensitively); LEARNERS to the named learners.
When several organisations assign the same course, the earliest due date wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.directory.service import name_key
from plugins.passbook.rows import PlanItemLike


def ancestor_ids(path: str | None) -> list[str]:
    """Organisation ids on a materialised path ``/root/child/self/``."""
    return [part for part in (path or "").split("/") if part]


def applies(item: PlanItemLike, learner_id: str, designation: str | None, org_path: str | None) -> bool:
    if item.scope == "LEARNER":
        return item.target == learner_id
    if item.organisation_id not in ancestor_ids(org_path):
        return False
    if item.scope == "ALL_LEARNERS":
        return True
    return bool(designation) and item.target == name_key(designation or "")


@dataclass(frozen=True)
class EffectivePlanItem:
    course_id: str
    due_date: dt.date
    organisation_id: str


def effective_plan(
    items: Iterable[PlanItemLike], learner_id: str, designation: str | None, org_path: str | None
) -> list[EffectivePlanItem]:
    """One item per course (earliest due date), ordered by due date then course."""
    best: dict[str, PlanItemLike] = {}
    for item in items:
        if not applies(item, learner_id, designation, org_path):
            continue
        current = best.get(item.course_id)
        if current is None or (item.due_date, item.id) < (current.due_date, current.id):
            best[item.course_id] = item
    return sorted(
        (EffectivePlanItem(i.course_id, i.due_date, i.organisation_id) for i in best.values()),
        key=lambda e: (e.due_date, e.course_id),
    )


def status_of(due_date: dt.date, completed: bool, today: dt.date) -> str:
    if completed:
        return "DONE"
    return "OVERDUE" if today > due_date else "UPCOMING"
