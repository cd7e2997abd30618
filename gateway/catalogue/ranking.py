"""Search terms, filters, ranking and facets over providers' course summaries.

Ranking (documented in docs/providers.md, stable across providers):

* without ``search``: by title (case-insensitive), then by course id;
* with ``search``: first the courses whose title holds every search word (as a
  word prefix), then those whose title holds some of them, then the rest
  (matched in the description only); within each group by title, then id.

Which courses match a search is each provider's full-text search; how they
rank is decided here, the same way for every provider.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gateway.catalogue.cursors import RankKey
from schema.errors import BadUserInput
from schema.providers import CourseSummary

MAX_SEARCH_CHARS = 200
_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(search: str | None) -> list[str]:
    """Lower-case words of ``search``; ``[]`` for no search."""
    if search is None or not search.strip():
        return []
    if len(search) > MAX_SEARCH_CHARS:
        raise BadUserInput(f"Search text is limited to {MAX_SEARCH_CHARS} characters.", field="search")
    terms = _WORD.findall(search.casefold())
    if not terms:
        raise BadUserInput("Search needs at least one letter or digit.", field="search")
    return terms


def rank_key(summary: CourseSummary, terms: list[str]) -> RankKey:
    title = summary.title.casefold()
    tier = 0
    if terms:
        words = _WORD.findall(title)
        hits = sum(1 for t in terms if any(w.startswith(t) for w in words))
        tier = 0 if hits == len(terms) else 1 if hits else 2
    return (tier, title, summary.id)


@dataclass(frozen=True)
class Filters:
    providers: frozenset[str] | None = None
    areas: frozenset[str] | None = None
    competency_ids: frozenset[str] | None = None
    language: str | None = None
    max_duration_minutes: int | None = None
    delivery_mode: str | None = None


def speaks(languages: Iterable[str], wanted: str) -> bool:
    """``hi`` matches ``hi`` and ``hi-IN``; ``hi-IN`` matches only ``hi-IN``."""
    wanted = wanted.casefold()
    return any(lang.casefold() == wanted or lang.casefold().startswith(wanted + "-") for lang in languages)


def keep(summary: CourseSummary, f: Filters, areas_of: Mapping[str, str]) -> bool:
    if f.delivery_mode is not None and summary.delivery_mode != f.delivery_mode:
        return False
    if f.max_duration_minutes is not None and summary.duration_minutes > f.max_duration_minutes:
        return False
    if f.language is not None and not speaks(summary.languages, f.language):
        return False
    if f.competency_ids is not None and not f.competency_ids.intersection(summary.competency_ids):
        return False
    if f.areas is None:
        return True
    return bool(f.areas.intersection(areas_of[c] for c in summary.competency_ids if c in areas_of))


def provider_of(course_id: str) -> str:
    return course_id.partition(":")[0]


def _counted(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def facet_counts(
    summaries: list[CourseSummary], areas_of: Mapping[str, str]
) -> dict[str, list[tuple[str, int]]]:
    """Counts of courses per category, provider, area and language; a course
    tagged with two areas (or languages) counts once in each."""
    categories: Counter[str] = Counter()
    providers: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for s in summaries:
        if s.category:
            categories[s.category] += 1
        providers[provider_of(s.id)] += 1
        areas.update({areas_of[c] for c in s.competency_ids if c in areas_of})
        languages.update(set(s.languages))
    return {
        "categories": _counted(categories),
        "providers": _counted(providers),
        "areas": _counted(areas),
        "languages": _counted(languages),
    }
