"""ISTM as a content provider: serves the synced catalogue from its own tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Select

from gateway.catalogue.records import course_from_dict
from gateway.db.reads import KEYS, fetch_on, keyed
from gateway.telemetry import provider_call
from plugins.content_istm.models import (
    IstmCollectionRow,
    IstmCourseRow,
    IstmQuizKeyRow,
    IstmSyncRow,
)
from plugins.content_istm.sync import PROVIDER_ID, SyncReport, read_source, sync_feed
from schema.providers import (
    CollectionRecord,
    CourseBatch,
    CourseSummary,
    DeliveryModeName,
    GradingResult,
    ProviderHealth,
    SearchAnswer,
    UnknownQuiz,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.host import Gateway


def grade(
    quiz_id: str,
    pass_percentage: int,
    key: Mapping[str, Sequence[int]],
    option_counts: Mapping[str, int],
    answers: Mapping[str, Sequence[int]],
) -> GradingResult:
    """Score one attempt: a question is right when the selected set equals the key's."""
    unknown = sorted(set(answers) - set(key))
    if unknown:
        raise ValueError(f"quiz {quiz_id} has no question(s) {', '.join(unknown)}")
    for qid, selected in answers.items():
        if any(i < 0 or i >= option_counts[qid] for i in selected):
            raise ValueError(f"question {qid} has options 0..{option_counts[qid] - 1}")
    correct = sum(1 for qid, right in key.items() if set(answers.get(qid, ())) == set(right))
    total = len(key)
    score = (correct * 100) // total if total else 0
    return GradingResult(
        quiz_id=quiz_id,
        correct=correct,
        total=total,
        score_percent=score,
        passed=score >= pass_percentage,
        pass_percentage=pass_percentage,
    )


def fts_match(dialect: str, terms: list[str]) -> Select[Any]:
    """Course ids whose title or description holds every term (as a word prefix)."""
    if dialect == "sqlite":
        query = " AND ".join(f'"{t}"*' for t in terms)
        return select(text("course_id")).select_from(
            text("istm_courses_fts WHERE istm_courses_fts MATCH :q").bindparams(q=query)
        )
    query = " & ".join(f"{t}:*" for t in terms)
    return select(IstmCourseRow.id).where(
        IstmCourseRow.search_vector.bool_op("@@")(func.to_tsquery("simple", query))
    )


class _Course(NamedTuple):
    id: str
    document: dict[str, Any]


_COURSES = keyed(_Course, IstmCourseRow, "id")  # built once (gateway.db.reads)


class IstmProvider:
    """Hosted courses from ISTM's feed (``karmayogi catalogue sync istm FILE_OR_URL``)."""

    id = PROVIDER_ID
    name = "Institute of Secretariat Training and Management"
    delivery_mode: DeliveryModeName = "HOSTED"
    organisation_id = "org:istm"

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._summaries: tuple[int | None, dict[str, CourseSummary]] | None = None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def healthy(self) -> bool:
        return (await self.health()).healthy

    async def health(self) -> ProviderHealth:
        try:
            async with self.gateway.db.sessionmaker() as session:
                latest = await session.scalar(select(IstmSyncRow).order_by(IstmSyncRow.id.desc()).limit(1))
        except (OSError, SQLAlchemyError) as exc:
            return ProviderHealth(healthy=False, status=f"Catalogue database unreachable: {exc}")
        if latest is None:
            return ProviderHealth(
                healthy=True,
                status="No feed synced yet: run `karmayogi catalogue sync istm FILE_OR_URL`.",
            )
        return ProviderHealth(
            healthy=True,
            status=f"Feed version {latest.version} ({latest.course_count} courses), "
            f"synced {latest.synced_at.isoformat(timespec='seconds')}.",
        )

    async def course_count(self) -> int | None:
        async with self.gateway.db.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(IstmCourseRow)) or 0)

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        rows = await fetch_on(self.gateway.db.lean_primary, _COURSES, {KEYS: list(ids)})
        found = {row.id: course_from_dict(row.document) for row in rows}
        return CourseBatch(courses=[found.get(i) for i in ids])

    async def search(self, text: str | None) -> SearchAnswer:
        """Matches from full-text search; summaries come from a cache that is
        rebuilt when a newer feed has been synced (by any process)."""
        terms = text.split() if text else []
        async with self.gateway.db.sessionmaker() as session:
            version = await session.scalar(select(func.max(IstmSyncRow.id)))
            if self._summaries is None or self._summaries[0] != version:
                self._summaries = (version, await self._load_summaries(session))
            summaries = self._summaries[1]
            if not terms:
                return SearchAnswer(list(summaries.values()))
            dialect = session.get_bind().dialect.name
            ids = (await session.scalars(fts_match(dialect, terms))).all()
        return SearchAnswer([summaries[i] for i in ids if i in summaries])

    @staticmethod
    async def _load_summaries(session: AsyncSession) -> dict[str, CourseSummary]:
        rows = (
            await session.execute(
                select(
                    IstmCourseRow.id,
                    IstmCourseRow.title,
                    IstmCourseRow.languages,
                    IstmCourseRow.duration_minutes,
                    IstmCourseRow.category,
                    IstmCourseRow.competency_ids,
                )
            )
        ).all()
        return {
            row.id: CourseSummary(
                id=row.id,
                title=row.title,
                languages=tuple(row.languages),
                duration_minutes=row.duration_minutes,
                delivery_mode="HOSTED",
                category=row.category,
                competency_ids=tuple(row.competency_ids),
            )
            for row in rows
        }

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        async with self.gateway.db.sessionmaker() as session:
            row = await session.get(IstmQuizKeyRow, quiz_id)
        if row is None:
            raise UnknownQuiz(f"ISTM has no quiz {quiz_id!r}")
        return grade(quiz_id, row.pass_percentage, row.answers, row.option_counts, answers)

    async def collections(self) -> list[CollectionRecord]:
        async with self.gateway.db.sessionmaker() as session:
            rows = (
                await session.scalars(select(IstmCollectionRow).order_by(IstmCollectionRow.position))
            ).all()
        return [
            CollectionRecord(
                id=row.id,
                title=row.document["title"],
                description=row.document["description"],
                curated_by=self.organisation_id,
                course_ids=tuple(row.document["course_ids"]),
                designations=tuple(row.document["designations"]),
            )
            for row in rows
        ]

    async def sync(self, source: str) -> SyncReport:
        """Fetch ``source`` (file or URL) and sync it; see :func:`sync_feed`.
        Measured as ``call="sync"``: a refused feed counts as a ``FeedError``."""
        async with provider_call(self.gateway, self.id, "sync"):
            data = await read_source(source)
            async with self.gateway.db.write_sessionmaker() as session, session.begin():
                return await sync_feed(session, data, source=source)
