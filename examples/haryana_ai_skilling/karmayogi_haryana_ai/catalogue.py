"""The module's small AI-skilling catalogue (hosted: the gateway serves it)."""

from __future__ import annotations

import datetime as dt

from gateway.api import (
    CompetencyTag,
    CourseRecord,
    QuestionRecord,
    QuizRecord,
    ResourceRecord,
    UnitRecord,
)

PROVIDER_ID = "hr_ai"
MANDATORY_COURSE = f"{PROVIDER_ID}:ai-for-governance"
PUBLISHED = dt.datetime(2026, 4, 1, 4, 30, tzinfo=dt.UTC)
AI = "comp:domain-digital-governance-artificial-intelligence"
PRIVACY = "comp:domain-digital-governance-data-privacy"
PROBLEMS = "comp:behavioural-innovation-problem-solving"


def _quiz(course: str, questions: list[tuple[str, str, tuple[str, ...]]]) -> QuizRecord:
    return QuizRecord(
        id=f"{course}/quiz",
        pass_percentage=60,
        max_attempts=3,
        questions=tuple(
            QuestionRecord(id=f"{course}/quiz/{qid}", text=text, options=options)
            for qid, text, options in questions
        ),
    )


def _course(
    slug: str,
    title: str,
    description: str,
    minutes: int,
    tags: tuple[CompetencyTag, ...],
    units: list[tuple[str, str, list[tuple[str, str, str, int]]]],
    quiz: list[tuple[str, str, tuple[str, ...]]],
) -> CourseRecord:
    course_id = f"{PROVIDER_ID}:{slug}"
    built = [
        UnitRecord(
            id=f"{course_id}/{uid}",
            title=utitle,
            resources=tuple(
                ResourceRecord(
                    id=f"{course_id}/{rid}",
                    title=rtitle,
                    kind=kind,
                    required=True,
                    duration_minutes=rminutes,
                    content_url=f"https://ai-skilling.haryana.example/{slug}/{rid}",
                )
                for rid, rtitle, kind, rminutes in resources
            ),
        )
        for uid, utitle, resources in units
    ]
    quiz_record = _quiz(course_id, quiz)
    built.append(
        UnitRecord(
            id=f"{course_id}/assessment",
            title="Assessment",
            resources=(
                ResourceRecord(
                    id=quiz_record.id,
                    title="Check your understanding",
                    kind="QUIZ",
                    required=True,
                    quiz=quiz_record,
                ),
            ),
        )
    )
    return CourseRecord(
        id=course_id,
        provider_id=PROVIDER_ID,
        title=title,
        description=description,
        languages=("en", "hi"),
        duration_minutes=minutes,
        delivery_mode="HOSTED",
        updated_at=PUBLISHED,
        category="Artificial intelligence",
        competencies=tags,
        units=tuple(built),
    )


COURSES: tuple[CourseRecord, ...] = (
    _course(
        "ai-for-governance",
        "AI for Good Governance in Haryana",
        "What AI can and cannot do for public services, with examples from Haryana's departments.",
        90,
        (CompetencyTag(AI, "BASIC"), CompetencyTag(PROBLEMS)),
        [
            ("intro", "Why AI in government", [("what-is-ai", "What AI is", "VIDEO", 20)]),
            (
                "cases",
                "Cases from Haryana",
                [("cases-pdf", "Grievance triage and land records", "DOCUMENT", 30)],
            ),
        ],
        [
            (
                "q1",
                "Which task suits a machine-learning model best?",
                ("Sorting grievances by topic", "Signing a government order", "Deciding a court case"),
            ),
            (
                "q2",
                "Who is accountable for a decision made with AI help?",
                ("The officer who decides", "The software vendor", "Nobody"),
            ),
        ],
    ),
    _course(
        "prompting-basics",
        "Writing Good Prompts for Office Work",
        "Drafting notes, summaries and replies with a language model, safely and in Hindi or English.",
        60,
        (CompetencyTag(AI, "PROFICIENT"),),
        [("prompts", "Prompts that work", [("prompt-video", "Anatomy of a prompt", "VIDEO", 25)])],
        [
            (
                "q1",
                "What should never go into a public AI tool?",
                ("Citizens' personal data", "A public circular", "A meeting agenda"),
            )
        ],
    ),
    _course(
        "data-privacy-ai",
        "Data Privacy When Using AI",
        "The DPDP Act and state rules for personal data in AI projects.",
        45,
        (CompetencyTag(PRIVACY, "BASIC"),),
        [("law", "The law in brief", [("dpdp", "DPDP Act essentials", "DOCUMENT", 20)])],
        [
            (
                "q1",
                "Under the DPDP Act a data fiduciary must...",
                ("Collect only the data it needs", "Sell data to recover costs", "Keep data forever"),
            )
        ],
    ),
)

# Answer keys stay here: grading happens inside the provider.
ANSWER_KEYS: dict[str, dict[str, frozenset[int]]] = {
    f"{PROVIDER_ID}:ai-for-governance/quiz": {
        f"{PROVIDER_ID}:ai-for-governance/quiz/q1": frozenset({0}),
        f"{PROVIDER_ID}:ai-for-governance/quiz/q2": frozenset({0}),
    },
    f"{PROVIDER_ID}:prompting-basics/quiz": {f"{PROVIDER_ID}:prompting-basics/quiz/q1": frozenset({0})},
    f"{PROVIDER_ID}:data-privacy-ai/quiz": {f"{PROVIDER_ID}:data-privacy-ai/quiz/q1": frozenset({0})},
}
