"""ISTM's catalogue feed: its JSON format and whole-feed validation.

The feed is validated in full before anything is stored; every problem is
reported at once, each naming the course (by id, else by position) and the
field. The format is documented in docs/providers.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from schema.providers import RESOURCE_KINDS

FEED_SCHEMA_VERSION = 1
SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
Kind = Literal["VIDEO", "AUDIO", "DOCUMENT", "SCORM", "QUIZ", "SURVEY", "OFFLINE_SESSION", "LINK"]
Level = Literal["BASIC", "PROFICIENT", "ADVANCED", "EXPERT", "USTAD"]
assert set(Kind.__args__) == set(RESOURCE_KINDS)  # type: ignore[attr-defined]


class FeedError(ValueError):
    """The feed was refused; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The feed was refused:\n  " + "\n  ".join(problems))
        self.problems = problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class FeedQuestion(_Model):
    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=1, max_length=2000)
    options: list[str] = Field(min_length=2, max_length=10)
    multiple_answers: bool = False
    answers: list[int] = Field(min_length=1, description="The answer key: option indexes.")

    @model_validator(mode="after")
    def _key_fits(self) -> FeedQuestion:
        if any(not o.strip() for o in self.options):
            raise ValueError("options must not be blank")
        if len(set(self.answers)) != len(self.answers):
            raise ValueError("answers repeat an option")
        if any(a < 0 or a >= len(self.options) for a in self.answers):
            raise ValueError(f"answers must be option indexes 0..{len(self.options) - 1}")
        if not self.multiple_answers and len(self.answers) != 1:
            raise ValueError("a single-answer question needs exactly one answer")
        return self


class FeedQuiz(_Model):
    id: str = Field(pattern=SLUG)
    pass_percentage: int = Field(ge=1, le=100)
    max_attempts: int | None = Field(None, ge=1, le=100)
    questions: list[FeedQuestion] = Field(min_length=1, max_length=200)

    @field_validator("questions")
    @classmethod
    def _unique_questions(cls, value: list[FeedQuestion]) -> list[FeedQuestion]:
        _no_duplicates((q.id for q in value), "question id")
        return value


class FeedResource(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1, max_length=300)
    kind: Kind
    required: bool
    duration_minutes: int | None = Field(None, ge=0, le=100_000)
    content_url: HttpUrl | None = None
    low_bandwidth_url: HttpUrl | None = None
    quiz: FeedQuiz | None = None

    @model_validator(mode="after")
    def _quiz_matches_kind(self) -> FeedResource:
        if (self.kind == "QUIZ") != (self.quiz is not None):
            raise ValueError("a QUIZ resource needs a quiz, and only a QUIZ resource may have one")
        if self.low_bandwidth_url is not None and self.content_url is None:
            raise ValueError("lowBandwidthUrl is a smaller rendition of contentUrl: set both")
        return self


class FeedUnit(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1, max_length=300)
    resources: list[FeedResource] = Field(min_length=1, max_length=100)


class FeedCompetency(_Model):
    id: str = Field(min_length=1, max_length=128)
    level: Level | None = None


class FeedCourse(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=10_000)
    languages: list[str] = Field(min_length=1, max_length=20)
    duration_minutes: int = Field(gt=0, le=100_000)
    category: str | None = Field(None, max_length=120)
    updated_at: AwareDatetime
    competencies: list[FeedCompetency] = Field(default_factory=list, max_length=50)
    units: list[FeedUnit] = Field(min_length=1, max_length=50)

    @field_validator("languages")
    @classmethod
    def _bcp47(cls, value: list[str]) -> list[str]:
        bad = [lang for lang in value if not LANGUAGE.match(lang)]
        if bad:
            raise ValueError(f"not BCP 47 language tags: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _unique_inside(self) -> FeedCourse:
        _no_duplicates((u.id for u in self.units), "unit id")
        resources = [r for u in self.units for r in u.resources]
        _no_duplicates(
            [r.id for r in resources] + [r.quiz.id for r in resources if r.quiz],
            "resource or quiz id",
        )
        _no_duplicates((c.id for c in self.competencies), "competency id")
        return self


class FeedCollection(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=5_000)
    designations: list[str] = Field(default_factory=list)
    course_ids: list[str] = Field(min_length=1, max_length=500)


class Feed(_Model):
    schema_version: Literal[1]
    version: str = Field(min_length=1, max_length=100)
    published_at: AwareDatetime
    note: str | None = None
    courses: list[FeedCourse] = Field(min_length=1, max_length=50_000)
    collections: list[FeedCollection] = Field(default_factory=list)


def _no_duplicates(ids: Iterable[str], what: str) -> None:
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ValueError(f"duplicate {what}(s): {', '.join(repeated)}")


def _where(raw: Any, loc: tuple[int | str, ...]) -> str:
    """'course "rti-basics" (courses[3]): units[0].title' for a pydantic location."""
    if len(loc) >= 2 and loc[0] in ("courses", "collections") and isinstance(loc[1], int):
        kind = "course" if loc[0] == "courses" else "collection"
        items = raw.get(loc[0]) if isinstance(raw, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        name = f"{kind} {item['id']!r}" if isinstance(item, dict) and "id" in item else kind
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]).lstrip(".")
        return f"{name} ({loc[0]}[{loc[1]}])" + (f": {rest}" if rest else "")
    return ".".join(str(p) for p in loc) or "feed"


def parse_feed(data: bytes | str | dict[str, Any]) -> Feed:
    """Parse and validate a whole feed, or raise :class:`FeedError` listing every problem."""
    raw: Any = data
    if isinstance(data, bytes | str):
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise FeedError([f"the feed is not valid JSON: {exc}"]) from None
    if not isinstance(raw, dict):
        raise FeedError(["the feed must be a JSON object with schemaVersion, version and courses"])
    if raw.get("schemaVersion") not in (None, FEED_SCHEMA_VERSION):
        raise FeedError(
            [f"schemaVersion {raw.get('schemaVersion')!r} is not supported (this gateway reads 1)"]
        )
    try:
        feed = Feed.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_where(raw, tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise FeedError(problems) from None
    problems = []
    counts = Counter(c.id for c in feed.courses)
    for index, course in enumerate(feed.courses):
        if counts[course.id] > 1:
            problems.append(f"course {course.id!r} (courses[{index}]): id: duplicate course id")
    ids = {f"istm:{c.id}" for c in feed.courses}
    for index, coll in enumerate(feed.collections):
        for course_id in coll.course_ids:
            prefix, sep, _ = course_id.partition(":")
            if not sep:
                problems.append(
                    f"collection {coll.id!r} (collections[{index}]): courseIds: {course_id!r} "
                    "is not provider-qualified (istm:..., ignou:...)"
                )
            elif prefix == "istm" and course_id not in ids:
                problems.append(
                    f"collection {coll.id!r} (collections[{index}]): courseIds: "
                    f"{course_id!r} is not a course of this feed"
                )
    _no_duplicate_collections(feed, problems)
    if problems:
        raise FeedError(problems)
    return feed


def _no_duplicate_collections(feed: Feed, problems: list[str]) -> None:
    counts = Counter(c.id for c in feed.collections)
    for index, coll in enumerate(feed.collections):
        if counts[coll.id] > 1:
            problems.append(f"collection {coll.id!r} (collections[{index}]): id: duplicate id")


def unknown_competencies(feed: Feed, known: set[str]) -> list[str]:
    """Problems for competency tags the directory does not know."""
    return [
        f"course {course.id!r} (courses[{index}]): competencies[{n}].id: unknown competency "
        f"{tag.id!r} (use the directory's ids, e.g. comp:functional-office-procedure-e-office)"
        for index, course in enumerate(feed.courses)
        for n, tag in enumerate(course.competencies)
        if tag.id not in known
    ]
