"""Recommendations: what to take next, and why, as a pure ranking.

Gaps are the competencies the learner's designation needs (the designation
mapping of their organisation) that the passbook holds no evidence for.
Candidates are the courses of every provider, less those completed or in
progress and those of a state module that does not reach the learner. Only
the courses that build a gap or are in the plan are looked at (through the
catalogue's index by competency), so ranking costs the same for a catalogue of
50 courses or 50,000. A course is recommended if it is in the learner's plan
(not done) or closes at least one gap. Order: plan items first (earliest due date first),
then more gaps closed, then shorter courses, then course id, so the same
records always give the same list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plugins.passbook.courses import CatalogueIndex
from plugins.passbook.plans import EffectivePlanItem

PLAN_WEIGHT = 100.0


@dataclass(frozen=True)
class Ranked:
    course_id: str
    gaps: tuple[str, ...]
    score: float
    reason: str


def _names(ids: Sequence[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(i, i) for i in ids)


def rank(
    *,
    needs: Sequence[str],
    held: set[str],
    catalogue: CatalogueIndex,
    excluded: set[str],
    hidden_providers: set[str],
    plan: Sequence[EffectivePlanItem],
    done_courses: set[str],
    designation: str | None,
    competency_names: Mapping[str, str],
    organisation_names: Mapping[str, str],
    first: int,
) -> list[Ranked]:
    gaps = [c for c in dict.fromkeys(needs) if c not in held]
    plan_by_course = {p.course_id: p for p in plan if p.course_id not in done_courses}
    ranked: list[tuple[tuple[object, ...], tuple[str, ...], EffectivePlanItem | None]] = []
    for entry in catalogue.candidates(gaps, list(plan_by_course)):
        if entry.id in excluded or entry.id.partition(":")[0] in hidden_providers:
            continue
        closes = tuple(g for g in gaps if g in entry.competency_ids)
        item = plan_by_course.get(entry.id)
        if not closes and item is None:
            continue
        due = item.due_date if item else dt.date.max
        key = (item is None, due, -len(closes), entry.duration_minutes, entry.id)
        ranked.append((key, closes, item))
    ranked.sort(key=lambda found: found[0])
    return [
        Ranked(
            course_id=str(key[-1]),
            gaps=closes,
            score=float(len(closes)) + (PLAN_WEIGHT if item else 0.0),
            reason=_reason(item, closes, len(gaps), designation, competency_names, organisation_names),
        )
        for key, closes, item in ranked[:first]
    ]


def _reason(
    item: EffectivePlanItem | None,
    closes: Sequence[str],
    gap_count: int,
    designation: str | None,
    competency_names: Mapping[str, str],
    organisation_names: Mapping[str, str],
) -> str:
    role = f"a {designation}" if designation else "your designation"
    covers = (
        f"{len(closes)} of the {gap_count} competencies {role} needs that your passbook does not "
        f"show yet: {_names(closes, competency_names)}"
    )
    if item is not None:
        org = organisation_names.get(item.organisation_id, item.organisation_id)
        text = f"In your annual plan from {org}, due {item.due_date:%d %b %Y}."
        return f"{text} It also covers {covers}." if closes else text
    return f"Covers {covers}."
