"""Syncs a validated feed into ISTM's tables, in one transaction.

A refused feed changes nothing: the last good catalogue stays live.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import delete, insert, select, text

from gateway.catalogue.records import course_to_dict
from gateway.db.types import utcnow
from gateway.directory.models import CompetencyRow
from plugins.content_istm.feed import Feed, FeedCourse, FeedError, parse_feed, unknown_competencies
from plugins.content_istm.models import (
    IstmCollectionRow,
    IstmCourseRow,
    IstmQuizKeyRow,
    IstmSyncRow,
)
from schema.providers import (
    CompetencyTag,
    CourseRecord,
    QuestionRecord,
    QuizRecord,
    ResourceRecord,
    UnitRecord,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

PROVIDER_ID = "istm"
DEMO_FEED = Path(__file__).parent / "demo_feed.json"


@dataclass(frozen=True)
class SyncReport:
    version: str
    courses: int
    collections: int
    unchanged: bool


def course_record(course: FeedCourse) -> CourseRecord:
    """The provider record of a feed course: ids qualified, answer keys left out."""
    cid = f"{PROVIDER_ID}:{course.id}"
    units = []
    for unit in course.units:
        resources = []
        for r in unit.resources:
            quiz = None
            if r.quiz is not None:
                qid = f"{cid}/{r.quiz.id}"
                quiz = QuizRecord(
                    id=qid,
                    pass_percentage=r.quiz.pass_percentage,
                    max_attempts=r.quiz.max_attempts,
                    questions=tuple(
                        QuestionRecord(
                            id=f"{qid}/{q.id}",
                            text=q.text,
                            options=tuple(q.options),
                            multiple_answers=q.multiple_answers,
                        )
                        for q in r.quiz.questions
                    ),
                )
            resources.append(
                ResourceRecord(
                    id=f"{cid}/{r.id}",
                    title=r.title,
                    kind=r.kind,
                    required=r.required,
                    duration_minutes=r.duration_minutes,
                    content_url=str(r.content_url) if r.content_url else None,
                    low_bandwidth_url=str(r.low_bandwidth_url) if r.low_bandwidth_url else None,
                    quiz=quiz,
                )
            )
        units.append(UnitRecord(id=f"{cid}/{unit.id}", title=unit.title, resources=tuple(resources)))
    return CourseRecord(
        id=cid,
        provider_id=PROVIDER_ID,
        title=course.title,
        description=course.description,
        languages=tuple(course.languages),
        duration_minutes=course.duration_minutes,
        delivery_mode="HOSTED",
        updated_at=course.updated_at,
        category=course.category,
        competencies=tuple(CompetencyTag(t.id, t.level) for t in course.competencies),
        units=tuple(units),
    )


def _key_rows(course: FeedCourse) -> list[dict[str, Any]]:
    cid = f"{PROVIDER_ID}:{course.id}"
    rows = []
    for unit in course.units:
        for r in unit.resources:
            if r.quiz is None:
                continue
            qid = f"{cid}/{r.quiz.id}"
            rows.append(
                {
                    "quiz_id": qid,
                    "course_id": cid,
                    "pass_percentage": r.quiz.pass_percentage,
                    "answers": {f"{qid}/{q.id}": sorted(q.answers) for q in r.quiz.questions},
                    "option_counts": {f"{qid}/{q.id}": len(q.options) for q in r.quiz.questions},
                }
            )
    return rows


async def sync_feed(session: AsyncSession, data: bytes | str | dict[str, Any], *, source: str) -> SyncReport:
    """Validate ``data`` whole, then replace the catalogue in ``session``'s
    transaction (the caller commits). Raises :class:`FeedError` before writing."""
    feed: Feed = parse_feed(data)
    known = set((await session.scalars(select(CompetencyRow.id))).all())
    problems = unknown_competencies(feed, known)
    if problems:
        raise FeedError(problems)
    digest = hashlib.sha256(feed.model_dump_json().encode()).hexdigest()
    latest = await session.scalar(select(IstmSyncRow).order_by(IstmSyncRow.id.desc()).limit(1))
    if latest is not None and latest.sha256 == digest:
        return SyncReport(feed.version, len(feed.courses), len(feed.collections), unchanged=True)
    records = [course_record(c) for c in feed.courses]
    await session.execute(delete(IstmCourseRow))
    await session.execute(delete(IstmQuizKeyRow))
    await session.execute(delete(IstmCollectionRow))
    await session.execute(
        insert(IstmCourseRow),
        [
            {
                "id": r.id,
                "title": r.title,
                "description": r.description,
                "category": r.category,
                "languages": list(r.languages),
                "duration_minutes": r.duration_minutes,
                "competency_ids": list(r.competency_ids),
                "document": course_to_dict(r),
                "updated_at": r.updated_at,
            }
            for r in records
        ],
    )
    keys = [row for c in feed.courses for row in _key_rows(c)]
    if keys:
        await session.execute(insert(IstmQuizKeyRow), keys)
    if feed.collections:
        await session.execute(
            insert(IstmCollectionRow),
            [
                {
                    "id": f"collection:{PROVIDER_ID}-{c.id}",
                    "position": n,
                    "document": c.model_dump(mode="json"),
                }
                for n, c in enumerate(feed.collections)
            ],
        )
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("DELETE FROM istm_courses_fts"))
        await session.execute(
            text(
                "INSERT INTO istm_courses_fts (course_id, title, description) "
                "SELECT id, title, description FROM istm_courses"
            )
        )
    else:
        await session.execute(
            text("UPDATE istm_courses SET search_vector = to_tsvector('simple', title || ' ' || description)")
        )
    session.add(
        IstmSyncRow(
            version=feed.version,
            sha256=digest,
            source=source[:1000],
            course_count=len(records),
            synced_at=utcnow(),
        )
    )
    await session.flush()
    return SyncReport(feed.version, len(feed.courses), len(feed.collections), unchanged=False)


async def read_source(source: str, *, wait_seconds: float = 30.0) -> bytes:
    """The feed's bytes from a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        try:
            async with httpx.AsyncClient(timeout=wait_seconds) as client:
                response = await client.get(source)
        except httpx.HTTPError as exc:
            raise FeedError([f"could not fetch {source}: {type(exc).__name__}: {exc}"]) from None
        if response.status_code != 200:
            raise FeedError([f"{source} answered HTTP {response.status_code}"])
        return response.content
    path = Path(source)
    try:
        return await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise FeedError([f"cannot read the feed file {source}: {exc.strerror}"]) from None
