"""The course catalogue the two dashboard baselines (``bench/lean``, ``bench/floor.py``)
hold in memory: the bench's synthetic courses plus ISTM's and IGNOU's synced
courses, read once at start-up.

The gateway keeps the same thing: the synthetic provider lives in memory, and
the recommendations' catalogue index is kept for ``catalogue_cache_seconds``
(60 s) while the catalogue version stands. The bench never changes the
catalogue during a run, so the baselines read it once and never again; that
is the only shortcut they take, and it costs the gateway nothing either (its
index is warm after the first dashboard of each worker).

The ranking itself is the passbook's pure functions (``recommend.rank`` and
``recommend.explain``, ``CatalogueIndex``): the baselines answer with the same
algorithm, so the comparison measures how the answer is served, not a
different ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.catalogue import PROVIDER_ID as SYNTHETIC
from bench.catalogue import SyntheticProvider
from plugins.content_ignou.provider import IgnouProvider
from plugins.content_istm.provider import IstmProvider
from plugins.passbook.courses import CatalogueEntry, CatalogueIndex

PROVIDER_NAMES = {
    SYNTHETIC: SyntheticProvider.name,
    "istm": IstmProvider.name,
    "ignou": IgnouProvider.name,
}

ISTM_DOCUMENTS = "SELECT document FROM istm_courses"
IGNOU_DOCUMENTS = "SELECT document FROM ignou_courses"


@dataclass(frozen=True, slots=True)
class CourseInfo:
    """What the dashboard shows of a course."""

    id: str
    title: str
    provider_id: str
    duration_minutes: int
    competencies: tuple[tuple[str, str | None], ...]  # (competency id, level)


@dataclass(frozen=True)
class Catalogue:
    courses: Mapping[str, CourseInfo]
    index: CatalogueIndex


def _istm(document: Mapping[str, Any]) -> CourseInfo:
    return CourseInfo(
        id=document["id"],
        title=document["title"],
        provider_id="istm",
        duration_minutes=int(document["duration_minutes"]),
        competencies=tuple((str(c), level) for c, level in document.get("competencies", [])),
    )


def _ignou(document: Mapping[str, Any]) -> CourseInfo:
    return CourseInfo(
        id=f"ignou:{document['id']}",
        title=str(document["title"]),
        provider_id="ignou",
        duration_minutes=int(document["durationMinutes"]),
        competencies=tuple((str(c["id"]), c.get("level")) for c in document["competencies"]),
    )


def build(
    synthetic_courses: int,
    istm_documents: Iterable[Mapping[str, Any]],
    ignou_documents: Iterable[Mapping[str, Any]],
) -> Catalogue:
    """The catalogue from the three sources (documents as stored in the tables)."""
    synthetic = [
        CourseInfo(
            id=c.id,
            title=c.title,
            provider_id=SYNTHETIC,
            duration_minutes=c.duration_minutes,
            competencies=tuple((t.competency_id, t.level) for t in c.competencies),
        )
        for c in SyntheticProvider(synthetic_courses).courses.values()
    ]
    by_provider = {
        "ignou": [_ignou(d) for d in ignou_documents],
        "istm": [_istm(d) for d in istm_documents],
        SYNTHETIC: synthetic,
    }
    ordered = [course for provider in sorted(by_provider) for course in by_provider[provider]]
    entries = [
        CatalogueEntry(
            id=c.id,
            title=c.title,
            duration_minutes=c.duration_minutes,
            competency_ids=tuple(cid for cid, _ in c.competencies),
        )
        for c in ordered
    ]
    return Catalogue(courses={c.id: c for c in ordered}, index=CatalogueIndex.of(entries))
