"""A synthetic in-memory provider with many hosted courses, so a learner can
hold any number of distinct enrolments in tests and benchmarks."""

from __future__ import annotations

import datetime as dt

from gateway.directory.demo_data import COMPETENCIES, competency_id
from gateway.hookspecs import hookimpl
from gateway.testing import StaticProvider
from schema.providers import (
    CompetencyTag,
    CourseRecord,
    CourseSummary,
    QuestionRecord,
    QuizRecord,
    ResourceRecord,
    SearchAnswer,
    UnitRecord,
)

PROVIDER_ID = "synthetic"


def _competency_ids() -> list[str]:
    return [competency_id(area, theme, sub) for area, theme, sub, *_ in COMPETENCIES]


def make_course(i: int, competency_ids: list[str]) -> CourseRecord:
    cid = f"{PROVIDER_ID}:course-{i:03d}"
    quiz = QuizRecord(
        id=f"{cid}/quiz",
        pass_percentage=50,
        max_attempts=3,
        questions=(QuestionRecord(id=f"{cid}/quiz/q1", text="Pick the first option", options=("a", "b")),),
    )
    return CourseRecord(
        id=cid,
        provider_id=PROVIDER_ID,
        title=f"Synthetic course {i:03d}",
        description="Synthetic course for tests and benchmarks (demo data).",
        languages=("en",),
        duration_minutes=30 + (i % 7) * 15,
        delivery_mode="HOSTED",
        updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        competencies=tuple(
            CompetencyTag(competency_ids[(i * 3 + k) % len(competency_ids)]) for k in range(2)
        ),
        units=(
            UnitRecord(
                id=f"{cid}/u1",
                title="Unit 1",
                resources=(
                    ResourceRecord(id=f"{cid}/video", title="Lecture", kind="VIDEO", required=True),
                    ResourceRecord(
                        id=f"{cid}/quiz-res", title="Check", kind="QUIZ", required=True, quiz=quiz
                    ),
                ),
            ),
        ),
    )


class SyntheticProvider(StaticProvider):
    name = "Synthetic provider (demo data)"

    def __init__(self, count: int = 60) -> None:
        ids = _competency_ids()
        super().__init__(PROVIDER_ID, [make_course(i, ids) for i in range(count)])
        # kept like ISTM keeps its summaries between syncs
        self.summaries = [CourseSummary.of(c) for c in self.courses.values()]

    async def search(self, text: str | None) -> SearchAnswer:
        return SearchAnswer(summaries=list(self.summaries))


class SyntheticPlugin:
    def __init__(self, count: int = 60) -> None:
        self.count = count

    @hookimpl
    def register_content_providers(self, gateway: object) -> list[SyntheticProvider]:
        return [SyntheticProvider(self.count)]
