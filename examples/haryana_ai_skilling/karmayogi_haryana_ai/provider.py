"""The hosted provider ``hr_ai``: the catalogue lives in this package."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from gateway.api import (
    CollectionRecord,
    CourseBatch,
    CourseSummary,
    GradingResult,
    ProviderHealth,
    SearchAnswer,
    UnknownQuiz,
)
from karmayogi_haryana_ai.catalogue import ANSWER_KEYS, COURSES, PROVIDER_ID

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


class HaryanaAiProvider:
    id = PROVIDER_ID
    name = "Haryana AI Skilling"
    delivery_mode = "HOSTED"
    organisation_id = "org:haryana"

    def __init__(self) -> None:
        self._by_id = {course.id: course for course in COURSES}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def healthy(self) -> bool:
        return True

    async def health(self) -> ProviderHealth:
        return ProviderHealth(healthy=True, status="live (catalogue shipped with the module)")

    async def course_count(self) -> int | None:
        return len(self._by_id)

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        return CourseBatch(courses=[self._by_id.get(i) for i in ids])

    async def search(self, text: str | None) -> SearchAnswer:
        wanted = _words(text or "")
        found = []
        for course in COURSES:
            words = _words(f"{course.title} {course.description}")
            if all(any(w.startswith(t) for w in words) for t in wanted):
                found.append(CourseSummary.of(course))
        return SearchAnswer(summaries=found)

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        key = ANSWER_KEYS.get(quiz_id)
        if key is None:
            raise UnknownQuiz(quiz_id)
        course = self._by_id[quiz_id.split("/", 1)[0]]
        quiz = next(r.quiz for r in course.resources() if r.quiz is not None and r.quiz.id == quiz_id)
        assert quiz is not None
        options = {q.id: len(q.options) for q in quiz.questions}
        for question, chosen in answers.items():
            if question not in options:
                raise ValueError(f"Quiz {quiz_id} has no question {question}.")
            if any(not 0 <= c < options[question] for c in chosen):
                raise ValueError(f"Question {question} has no such option.")
        correct = sum(1 for q, right in key.items() if frozenset(answers.get(q, ())) == right)
        score = correct * 100 // len(key)
        return GradingResult(
            quiz_id=quiz_id,
            correct=correct,
            total=len(key),
            score_percent=score,
            passed=score >= quiz.pass_percentage,
            pass_percentage=quiz.pass_percentage,
        )

    async def collections(self) -> list[CollectionRecord]:
        return []  # collections are shown to everyone; this module's courses are not
