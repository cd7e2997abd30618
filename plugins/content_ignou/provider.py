"""IGNOU as an external content provider, read live from its provider API.

Reads are batched (one remote request per resolution wave) and cached for
``cache_ttl_seconds``. When the API fails, expired cache entries and then the
last synced snapshot (table ``ignou_courses``) are served, marked stale.
Without a configured ``url`` the snapshot is all there is, and ``providers``
says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from gateway.db.reads import KEYS, Query, columns, fetch_on, keyed
from gateway.db.types import utcnow
from gateway.provider_api.client import CircuitBreaker, CircuitState, RemoteCatalogue
from gateway.provider_api.records import record_of
from gateway.telemetry import provider_call, report_circuit_state
from plugins.content_ignou.models import IgnouCourseRow
from schema.providers import (
    CollectionRecord,
    CourseBatch,
    CourseRecord,
    CourseSummary,
    DeliveryModeName,
    GradingResult,
    ProviderError,
    ProviderHealth,
    SearchAnswer,
    UnknownQuiz,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.host import Gateway
    from plugins.content_ignou.settings import IgnouSettings

PROVIDER_ID = "ignou"
log = logging.getLogger("plugins.content_ignou")
_WORD = re.compile(r"\w+")


def _matches(record: CourseRecord, terms: list[str]) -> bool:
    words = _WORD.findall(f"{record.title} {record.description}".casefold())
    return all(any(w.startswith(t) for w in words) for t in terms)


class _Document(NamedTuple):
    id: str
    document: dict[str, Any]


# The snapshot's reads, built once (gateway.db.reads).
_DOCUMENTS = keyed(_Document, IgnouCourseRow, "id")
_ALL_DOCUMENTS = Query(_Document, select(*columns(_Document, IgnouCourseRow)))


class IgnouProvider:
    id = PROVIDER_ID
    name = "Indira Gandhi National Open University"
    delivery_mode: DeliveryModeName = "EXTERNAL"
    organisation_id = "org:ignou"

    def __init__(self, gateway: Gateway, settings: IgnouSettings) -> None:
        self.gateway = gateway
        self.settings = settings
        self.remote: RemoteCatalogue | None = None
        self._courses: dict[str, tuple[float, CourseRecord]] = {}
        self._searches: dict[str | None, tuple[float, list[str]]] = {}

    async def start(self) -> None:
        if self.settings.url:
            breaker = CircuitBreaker(
                self.settings.failure_threshold,
                self.settings.circuit_reset_seconds,
                on_change=self._circuit_changed,
            )
            self.remote = RemoteCatalogue(
                self.settings.url,
                connect_timeout=self.settings.connect_timeout_seconds,
                read_timeout=self.settings.read_timeout_seconds,
                breaker=breaker,
                gateway=self.gateway,
                provider_id=self.id,
            )
            report_circuit_state(self.gateway, self.id, breaker.state)

    def _circuit_changed(self, state: CircuitState) -> None:
        report_circuit_state(self.gateway, self.id, state)
        problem = self.remote.last_problem if self.remote is not None else None
        if state == "open":
            log.warning("IGNOU circuit open: %s", problem)
        else:
            log.info("IGNOU circuit %s", state.replace("_", "-"))

    async def close(self) -> None:
        if self.remote is not None:
            await self.remote.close()

    def forget(self) -> None:
        """Drop the cache: the next reads go to IGNOU (or the snapshot)."""
        self._courses.clear()
        self._searches.clear()

    def _fresh(self, fetched_at: float) -> bool:
        return time.monotonic() - fetched_at < self.settings.cache_ttl_seconds

    def _remember(self, records: list[CourseRecord]) -> None:
        now = time.monotonic()
        for record in records:
            self._courses[record.id] = (now, record)

    # -- snapshot --------------------------------------------------------------

    async def _snapshot(self, ids: Sequence[str] | None) -> dict[str, CourseRecord]:
        engine = self.gateway.db.lean_primary
        if ids is None:
            rows = await fetch_on(engine, _ALL_DOCUMENTS, {})
        else:
            rows = await fetch_on(engine, _DOCUMENTS, {KEYS: list(ids)})
        records = [record_of(row.document, PROVIDER_ID) for row in rows]
        return {r.id: r for r in records}

    async def _snapshot_state(self) -> tuple[int, dt.datetime | None]:
        async with self.gateway.db.sessionmaker() as session:
            row = (
                await session.execute(
                    select(func.count(), func.max(IgnouCourseRow.synced_at)).select_from(IgnouCourseRow)
                )
            ).one()
        return int(row[0]), row[1]

    # -- the protocol ------------------------------------------------------------

    async def healthy(self) -> bool:
        return (await self.health()).healthy

    async def health(self) -> ProviderHealth:
        if self.remote is None:
            try:
                count, synced = await self._snapshot_state()
            except (OSError, SQLAlchemyError) as exc:
                return ProviderHealth(healthy=False, status=f"Snapshot unreachable: {exc}")
            when = synced.isoformat(timespec="seconds") if synced else "never"
            return ProviderHealth(
                healthy=True,
                stale=True,
                status=f"No live URL configured: serving the last synced snapshot "
                f"({count} courses, synced {when}).",
            )
        if self.remote.breaker.open:
            return ProviderHealth(
                healthy=False, stale=True, status=f"Circuit open: {self.remote.last_problem}"
            )
        if self.remote.last_problem:
            return ProviderHealth(healthy=False, stale=True, status=f"Failing: {self.remote.last_problem}")
        return ProviderHealth(healthy=True, status=f"Live from {self.settings.url}.")

    async def course_count(self) -> int | None:
        cached = self._searches.get(None)
        if cached is not None:
            return len(cached[1])
        return (await self._snapshot_state())[0]

    async def search(self, text: str | None) -> SearchAnswer:
        terms = _WORD.findall(text.casefold()) if text else []
        key = " ".join(terms) or None
        if self.remote is None:
            found = await self._snapshot(None)
            return SearchAnswer([CourseSummary.of(r) for r in found.values() if _matches(r, terms)])
        cached = self._searches.get(key)
        if cached is not None and self._fresh(cached[0]):
            records = [self._courses[i][1] for i in cached[1] if i in self._courses]
            return SearchAnswer([CourseSummary.of(r) for r in records])
        try:
            records = [record_of(item, PROVIDER_ID) for item in await self.remote.search_all(key)]
        except ProviderError as exc:
            return await self._stale_search(key, terms, str(exc))
        self._remember(records)
        self._searches[key] = (time.monotonic(), [r.id for r in records])
        return SearchAnswer([CourseSummary.of(r) for r in records])

    async def _stale_search(self, key: str | None, terms: list[str], problem: str) -> SearchAnswer:
        cached = self._searches.get(key)
        if cached is not None:
            records = [self._courses[i][1] for i in cached[1] if i in self._courses]
        else:
            records = [r for r in (await self._snapshot(None)).values() if _matches(r, terms)]
            if not records:
                raise ProviderError(problem)
        return SearchAnswer([CourseSummary.of(r) for r in records], stale=True, problem=problem)

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        if self.remote is None:
            found = await self._snapshot(ids)
            return CourseBatch([found.get(i) for i in ids])
        result: dict[str, CourseRecord] = {}
        missing: list[str] = []
        for course_id in ids:
            hit = self._courses.get(course_id)
            if hit is not None and self._fresh(hit[0]):
                result[course_id] = hit[1]
            elif course_id not in missing:
                missing.append(course_id)
        if not missing:
            return CourseBatch([result.get(i) for i in ids])
        local = [i.partition(":")[2] for i in missing]
        try:
            fetched = [record_of(x, PROVIDER_ID) for x in await self.remote.courses(local) if x is not None]
        except ProviderError as exc:
            stale = {i: self._courses[i][1] for i in missing if i in self._courses}
            rest = [i for i in missing if i not in stale]
            if rest:
                stale.update(await self._snapshot(rest))
            result.update(stale)
            return CourseBatch([result.get(i) for i in ids], stale=bool(stale), problem=str(exc))
        self._remember(fetched)
        result.update({r.id: r for r in fetched if r.id in missing})
        return CourseBatch([result.get(i) for i in ids])

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        raise UnknownQuiz(f"IGNOU's courses are taken on IGNOU's platform; no quiz {quiz_id!r}")

    async def collections(self) -> list[CollectionRecord]:
        return []

    # -- the snapshot sync ---------------------------------------------------------

    async def sync(self) -> str:
        """Pull what changed since the snapshot's newest course (updated-since
        listing with cursors) and store it; the snapshot answers when IGNOU can't."""
        if self.remote is None:
            raise RuntimeError(
                "No IGNOU URL is configured (plugins.content_ignou.url); nothing to sync from."
            )
        async with provider_call(self.gateway, self.id, "sync"):
            async with self.gateway.db.sessionmaker() as session:
                newest = await session.scalar(select(func.max(IgnouCourseRow.updated_at)))
            try:
                items = await self.remote.updated_since(newest.isoformat() if newest else None)
            except ProviderError as exc:
                raise RuntimeError(f"IGNOU sync failed: {exc}") from None
            records = [record_of(item, PROVIDER_ID) for item in items]
            async with self.gateway.db.write_sessionmaker() as session, session.begin():
                await store_snapshot(session, items)
        return f"{len(records)} course(s) changed since {newest or 'the start'}"


async def store_snapshot(session: AsyncSession, items: list[dict[str, Any]]) -> None:
    """Upsert provider API courses into the snapshot (in the caller's transaction)."""
    now = utcnow()
    for item in items:
        record = record_of(item, PROVIDER_ID)
        row = await session.get(IgnouCourseRow, record.id)
        if row is None:
            session.add(
                IgnouCourseRow(id=record.id, document=item, updated_at=record.updated_at, synced_at=now)
            )
        else:
            row.document, row.updated_at, row.synced_at = item, record.updated_at, now
    await session.flush()
