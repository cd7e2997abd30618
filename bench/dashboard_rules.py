"""The dashboard's rules over plain row tuples, shared by the two baselines
(``bench/lean``, ``bench/floor.py``) so both answer exactly as the passbook
does (``plugins/passbook``: plans, designation needs, passbook levels, hours,
recommendations) while reading their rows their own way.

Rows are positional (a SQLAlchemy Core ``Row`` and an asyncpg ``Record`` both
index by position), in the column order of the statements each baseline runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gateway.directory.service import name_key
from plugins.passbook import recommend
from plugins.passbook.courses import CatalogueIndex
from plugins.passbook.plans import EffectivePlanItem

LEVEL_ORDER = ("BASIC", "PROFICIENT", "ADVANCED", "EXPERT", "USTAD")
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))  # Asia/Kolkata has kept +05:30 since 1945


def ancestors(path: str | None) -> list[str]:
    """Organisation ids on a materialised path ``/root/child/self/``."""
    return [part for part in (path or "").split("/") if part]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone(IST).date()


def effective_plan(
    rows: Iterable[Sequence[Any]], learner_id: str, designation: str | None, path: str | None
) -> list[EffectivePlanItem]:
    """Rows ``(id, organisation_id, course_id, scope, target, due_date)``: one
    item per course (earliest due date, then lowest id), by due date then course."""
    orgs = set(ancestors(path))
    key = name_key(designation) if designation else None
    best: dict[str, Sequence[Any]] = {}
    for row in rows:
        scope, target = row[3], row[4]
        if scope == "LEARNER":
            if target != learner_id:
                continue
        elif row[1] not in orgs or (scope != "ALL_LEARNERS" and (key is None or target != key)):
            continue
        current = best.get(row[2])
        if current is None or (row[5], row[0]) < (current[5], current[0]):
            best[row[2]] = row
    items = [EffectivePlanItem(r[2], r[5], r[1]) for r in best.values()]
    items.sort(key=lambda e: (e.due_date, e.course_id))
    return items


def designation_needs(rows: Sequence[Sequence[Any]], path: str | None) -> list[tuple[str, str | None]]:
    """Rows ``(organisation_id, competency_id, level)`` mapping the learner's
    designation on their path, by id: the mapping of the nearest organisation."""
    mapped = {row[0] for row in rows}
    nearest = next((org for org in reversed(ancestors(path)) if org in mapped), None)
    return [(row[1], row[2]) for row in rows if row[0] == nearest]


def highest_level(levels: Iterable[str | None]) -> str | None:
    known = [level for level in levels if level in LEVEL_ORDER]
    return max(known, key=LEVEL_ORDER.index) if known else None


def learning_hours(enrolments: Iterable[tuple[str, int, dt.datetime | None]]) -> float:
    """Hours of the completed enrolments, from ``(status, duration_minutes,
    completed_at)`` triples (every year: the dashboard asks for no year)."""
    minutes = sum(d for status, d, done_at in enrolments if status == "COMPLETED" and done_at is not None)
    return round(minutes / 60, 2)


def ranking(
    *,
    needs: Sequence[str],
    held: set[str],
    index: CatalogueIndex,
    enrolled: Iterable[tuple[str, str]],
    plan: Sequence[EffectivePlanItem],
    first: int,
) -> recommend.Ranking:
    """The passbook's ranking for ``enrolled`` ``(course_id, status)`` pairs (no
    state module reaches past the bench's providers, so none is hidden)."""
    excluded = {c for c, status in enrolled if status in ("IN_PROGRESS", "COMPLETED")}
    done = {c for c, status in enrolled if status == "COMPLETED"}
    return recommend.rank(
        needs=needs,
        held=held,
        catalogue=index,
        excluded=excluded,
        hidden_providers=set(),
        plan=plan,
        done_courses=done,
        first=first,
    )


def explain(
    ranked: recommend.Ranking,
    designation: str | None,
    competency_names: Mapping[str, str],
    organisation_names: Mapping[str, str],
) -> list[recommend.Ranked]:
    return recommend.explain(
        ranked,
        designation=designation,
        competency_names=competency_names,
        organisation_names=organisation_names,
    )


def competency_name(theme: str, sub_theme: str | None) -> str:
    return f"{theme}: {sub_theme}" if sub_theme else theme


def plan_status(due: dt.date, completed: bool, on: dt.date) -> str:
    if completed:
        return "DONE"
    return "OVERDUE" if on > due else "UPCOMING"
