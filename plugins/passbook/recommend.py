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
import heapq
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


@dataclass(frozen=True)
class Candidate:
    """A recommended course before it is put into words."""

    course_id: str
    gaps: tuple[str, ...]
    item: EffectivePlanItem | None


@dataclass(frozen=True)
class Ranking:
    gap_count: int
    candidates: list[Candidate]


def rank(
    *,
    needs: Sequence[str],
    held: set[str],
    catalogue: CatalogueIndex,
    excluded: set[str],
    hidden_providers: set[str],
    plan: Sequence[EffectivePlanItem],
    done_courses: set[str],
    first: int,
) -> Ranking:
    """The first ``first`` recommendations, best first (see the module's text)."""
    gaps = [c for c in dict.fromkeys(needs) if c not in held]
    plan_by_course = {p.course_id: p for p in plan if p.course_id not in done_courses}

    closes: dict[str, list[str]] = {}  # course -> the gaps it closes, in the order of the needs
    durations: dict[str, int] = {}
    by_competency = catalogue.by_competency
    for gap in gaps:  # the hot loop of a dashboard: membership tests inlined
        for entry in by_competency.get(gap, ()):
            course_id = entry.id
            found = closes.get(course_id)
            if found is not None:
                found.append(gap)
            elif course_id not in excluded and (
                not hidden_providers or course_id.partition(":")[0] not in hidden_providers
            ):
                closes[course_id] = [gap]
                durations[course_id] = entry.duration_minutes
    for course_id in plan_by_course:
        planned = catalogue.by_id.get(course_id)
        if (
            planned is not None
            and course_id not in excluded
            and course_id.partition(":")[0] not in hidden_providers
        ):
            closes.setdefault(course_id, [])
            durations[course_id] = planned.duration_minutes

    # Plan items first (earliest due date first), then more gaps closed, then
    # shorter courses, then the id: a total order, so ties never depend on input order.
    keys = []
    for course_id, closed in closes.items():
        item = plan_by_course.get(course_id)
        due = item.due_date if item is not None else dt.date.max
        keys.append((item is None, due, -len(closed), durations[course_id], course_id))
    best = [k[-1] for k in heapq.nsmallest(first, keys)]
    return Ranking(
        gap_count=len(gaps),
        candidates=[Candidate(cid, tuple(closes[cid]), plan_by_course.get(cid)) for cid in best],
    )


def explain(
    ranking: Ranking,
    *,
    designation: str | None,
    competency_names: Mapping[str, str],
    organisation_names: Mapping[str, str],
) -> list[Ranked]:
    """The ranking with each recommendation's score and reason in words."""
    return [
        Ranked(
            course_id=c.course_id,
            gaps=c.gaps,
            score=float(len(c.gaps)) + (PLAN_WEIGHT if c.item else 0.0),
            reason=_reason(
                c.item, c.gaps, ranking.gap_count, designation, competency_names, organisation_names
            ),
        )
        for c in ranking.candidates
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
