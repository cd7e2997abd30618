"""The checks. Each takes a provider and raises :class:`CheckFailed` saying what broke."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from schema.providers import (
    RESOURCE_KINDS,
    CourseRecord,
    ProviderHealth,
    UnknownQuiz,
)

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
PROVIDER_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
KEY_NAMES = {"answers", "answer", "correct", "key", "answer_key", "correct_options"}


class CheckFailed(AssertionError):
    """A provider broke the protocol; the message says how."""


def expect(condition: Any, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    run: Callable[[Any], Awaitable[None]]


async def _all_courses(provider: Any) -> list[CourseRecord]:
    answer = await provider.search(None)
    ids = [s.id for s in answer.summaries]
    batch = await provider.courses_by_ids(ids)
    return [c for c in batch.courses if c is not None]


async def identity(provider: Any) -> None:
    expect(PROVIDER_ID.match(str(getattr(provider, "id", ""))), "id must be a short lower-case slug")
    expect(str(getattr(provider, "name", "")).strip(), "name must not be empty")
    expect(
        getattr(provider, "delivery_mode", None) in ("HOSTED", "EXTERNAL"),
        "delivery_mode must be HOSTED or EXTERNAL",
    )


async def health(provider: Any) -> None:
    state = await provider.health()
    expect(isinstance(state, ProviderHealth), "health() must return a ProviderHealth")
    expect(isinstance(state.healthy, bool) and state.status.strip(), "health needs healthy and status")
    expect(await provider.healthy() == state.healthy, "healthy() must agree with health()")


async def search_all(provider: Any) -> None:
    answer = await provider.search(None)
    ids = [s.id for s in answer.summaries]
    expect(ids, "search(None) must list every course; it listed none")
    expect(len(ids) == len(set(ids)), "search(None) lists a course twice")
    bad = [i for i in ids if not i.startswith(f"{provider.id}:")]
    expect(not bad, f"course ids must start with '{provider.id}:': {bad[:3]}")


async def courses_by_ids_order(provider: Any) -> None:
    ids = [s.id for s in (await provider.search(None)).summaries][:50]
    asked = [*reversed(ids), f"{provider.id}:no-such-course-xyz"]
    batch = await provider.courses_by_ids(asked)
    expect(len(batch.courses) == len(asked), "courses_by_ids must answer one entry per id")
    got = [c.id if c is not None else None for c in batch.courses]
    expect(got[:-1] == asked[:-1], "courses_by_ids must keep the order of the ids asked")
    expect(got[-1] is None, "courses_by_ids must answer None for an unknown id")


def _check_course(provider: Any, course: CourseRecord) -> None:
    where = f"course {course.id}"
    expect(course.provider_id == provider.id, f"{where}: provider_id must be {provider.id!r}")
    expect(course.title.strip() and course.description.strip(), f"{where}: title and description")
    expect(course.languages, f"{where}: at least one language")
    bad = [lang for lang in course.languages if not LANGUAGE.match(lang)]
    expect(not bad, f"{where}: languages must be BCP 47 tags, not {bad}")
    expect(course.duration_minutes > 0, f"{where}: duration_minutes must be positive")
    expect(course.delivery_mode == provider.delivery_mode, f"{where}: delivery mode")
    expect(course.updated_at.tzinfo is not None, f"{where}: updated_at needs a time zone")
    if course.delivery_mode == "EXTERNAL":
        expect(not course.units, f"{where}: external courses have no units")
        url = course.external_url or ""
        expect(url.startswith(("https://", "http://")), f"{where}: external_url is required")
        return
    expect(course.units, f"{where}: hosted courses need units")
    for unit in course.units:
        expect(unit.id.startswith(course.id + "/"), f"{where}: unit id {unit.id} not qualified")
        expect(unit.resources, f"{where}: unit {unit.id} has no resources")
        for r in unit.resources:
            expect(r.id.startswith(course.id + "/"), f"{where}: resource {r.id} not qualified")
            expect(r.kind in RESOURCE_KINDS, f"{where}: resource {r.id} kind {r.kind!r}")
            expect((r.kind == "QUIZ") == (r.quiz is not None), f"{where}: {r.id} quiz vs kind")
            if r.quiz is not None:
                expect(r.quiz.questions, f"{where}: quiz {r.quiz.id} has no questions")
                expect(0 < r.quiz.pass_percentage <= 100, f"{where}: pass percentage")
                for q in r.quiz.questions:
                    expect(len(q.options) >= 2, f"{where}: question {q.id} needs 2+ options")


async def course_records(provider: Any) -> None:
    courses = await _all_courses(provider)
    expect(courses, "no course could be loaded by id")
    for course in courses:
        _check_course(provider, course)


async def no_answer_keys(provider: Any) -> None:
    for course in await _all_courses(provider):
        for r in course.resources():
            if r.quiz is None:
                continue
            for q in r.quiz.questions:
                leaked = KEY_NAMES & set(vars(q))
                expect(not leaked, f"question {q.id} carries its answer key ({sorted(leaked)})")


async def search_matches(provider: Any) -> None:
    courses = await _all_courses(provider)
    course = courses[0]
    word = max(re.findall(r"\w+", course.title.casefold()), key=len)
    found = {s.id for s in (await provider.search(word)).summaries}
    expect(course.id in found, f"search({word!r}) must find {course.id}, whose title holds it")
    prefix = {s.id for s in (await provider.search(word[: max(3, len(word) - 2)])).summaries}
    expect(course.id in prefix, "search must match word prefixes")
    none = (await provider.search("qzxjvw")).summaries
    expect(not none, "search('qzxjvw') must find nothing")


async def grading(provider: Any) -> None:
    try:
        await provider.grade_quiz(f"{provider.id}:no-such-course/no-such-quiz", {})
    except UnknownQuiz:
        pass
    else:
        raise CheckFailed("grade_quiz must raise UnknownQuiz for an unknown quiz")
    quizzes = [r.quiz for c in await _all_courses(provider) for r in c.resources() if r.quiz]
    if provider.delivery_mode == "EXTERNAL" or not quizzes:
        return
    quiz = quizzes[0]
    result = await provider.grade_quiz(quiz.id, {})
    expect(result.total == len(quiz.questions), "grading must count every question")
    expect(result.correct == 0 and not result.passed, "an empty attempt must score 0 and fail")
    try:
        await provider.grade_quiz(quiz.id, {quiz.questions[0].id: [len(quiz.questions[0].options)]})
    except ValueError:
        pass
    else:
        raise CheckFailed("grade_quiz must refuse an option out of range with ValueError")


async def collections(provider: Any) -> None:
    records = await provider.collections()
    own = {s.id for s in (await provider.search(None)).summaries}
    for c in records:
        expect(c.id.startswith("collection:"), f"collection id {c.id} must start 'collection:'")
        expect(c.title.strip() and c.course_ids, f"collection {c.id} needs a title and courses")
        missing = [i for i in c.course_ids if i.startswith(f"{provider.id}:") and i not in own]
        expect(not missing, f"collection {c.id} names courses the provider lacks: {missing}")


CHECKS: tuple[Check, ...] = (
    Check("identity", "id, name and delivery mode", identity),
    Check("health", "health() and healthy() agree, with a status", health),
    Check("search-all", "search(None) lists every course once, ids qualified", search_all),
    Check("courses-by-ids-order", "batched loads keep order, None for unknown", courses_by_ids_order),
    Check("course-records", "records are complete and well-formed", course_records),
    Check("no-answer-keys", "quiz questions carry no answer key", no_answer_keys),
    Check("search-matches", "search finds title words and prefixes, nothing for nonsense", search_matches),
    Check("grading", "grade_quiz grades with the provider's key", grading),
    Check("collections", "collections are well-formed", collections),
)
