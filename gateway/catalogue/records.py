"""Course records to and from plain JSON-able dicts (providers store and cache them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from schema.providers import (
    CompetencyTag,
    CourseRecord,
    DeliveryModeName,
    QuestionRecord,
    QuizRecord,
    ResourceRecord,
    UnitRecord,
)


def course_to_dict(course: CourseRecord) -> dict[str, Any]:
    return {
        "id": course.id,
        "provider_id": course.provider_id,
        "title": course.title,
        "description": course.description,
        "languages": list(course.languages),
        "duration_minutes": course.duration_minutes,
        "delivery_mode": course.delivery_mode,
        "updated_at": course.updated_at.isoformat(),
        "category": course.category,
        "competencies": [[t.competency_id, t.level] for t in course.competencies],
        "external_url": course.external_url,
        "units": [
            {
                "id": u.id,
                "title": u.title,
                "resources": [_resource_to_dict(r) for r in u.resources],
            }
            for u in course.units
        ],
    }


def _resource_to_dict(r: ResourceRecord) -> dict[str, Any]:
    quiz = None
    if r.quiz is not None:
        quiz = {
            "id": r.quiz.id,
            "pass_percentage": r.quiz.pass_percentage,
            "max_attempts": r.quiz.max_attempts,
            "questions": [
                {"id": q.id, "text": q.text, "options": list(q.options), "multiple": q.multiple_answers}
                for q in r.quiz.questions
            ],
        }
    return {
        "id": r.id,
        "title": r.title,
        "kind": r.kind,
        "required": r.required,
        "duration_minutes": r.duration_minutes,
        "content_url": r.content_url,
        "low_bandwidth_url": r.low_bandwidth_url,
        "quiz": quiz,
    }


def _resource_from_dict(d: dict[str, Any]) -> ResourceRecord:
    quiz = None
    if d.get("quiz"):
        q = d["quiz"]
        quiz = QuizRecord(
            id=q["id"],
            pass_percentage=q["pass_percentage"],
            max_attempts=q["max_attempts"],
            questions=tuple(
                QuestionRecord(
                    id=x["id"], text=x["text"], options=tuple(x["options"]), multiple_answers=x["multiple"]
                )
                for x in q["questions"]
            ),
        )
    return ResourceRecord(
        id=d["id"],
        title=d["title"],
        kind=d["kind"],
        required=d["required"],
        duration_minutes=d["duration_minutes"],
        content_url=d["content_url"],
        low_bandwidth_url=d["low_bandwidth_url"],
        quiz=quiz,
    )


def course_from_dict(d: dict[str, Any]) -> CourseRecord:
    return CourseRecord(
        id=d["id"],
        provider_id=d["provider_id"],
        title=d["title"],
        description=d["description"],
        languages=tuple(d["languages"]),
        duration_minutes=d["duration_minutes"],
        delivery_mode=cast("DeliveryModeName", d["delivery_mode"]),
        updated_at=dt.datetime.fromisoformat(d["updated_at"]),
        category=d.get("category"),
        competencies=tuple(CompetencyTag(c, lvl) for c, lvl in d.get("competencies", [])),
        external_url=d.get("external_url"),
        units=tuple(
            UnitRecord(
                id=u["id"],
                title=u["title"],
                resources=tuple(_resource_from_dict(r) for r in u["resources"]),
            )
            for u in d.get("units", [])
        ),
    )
