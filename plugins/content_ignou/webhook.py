"""``POST /providers/ignou/completions``: IGNOU reports that a learner finished.

Signed: ``X-Ignou-Timestamp`` (Unix seconds) and ``X-Ignou-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>." + body`` with the shared
``webhook_secret``. Refused (nothing stored): a bad or missing signature (401),
a timestamp outside the replay window (401), a body that is not the JSON
below (400), an unknown course or learner (422). An event id seen before with
the same body answers 200 ``duplicate`` and changes nothing; with a different
body, 409. Accepted completions are stored, then handed to the passbook
backend (``record_external_completion``); if there is none yet, or it fails,
they wait and are replayed at start-up.

Body: ``{"eventId", "courseId" ("cit" or "ignou:cit"), "learnerId" or
"learnerEmail", "completedAt" (RFC 3339 with offset), "scorePercent"?,
"certificateUrl"?}``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import TYPE_CHECKING

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow
from plugins.content_ignou.models import IgnouCompletionRow
from schema.passbook import ExternalCompletion

if TYPE_CHECKING:
    from gateway.host import Gateway
    from plugins.content_ignou.provider import IgnouProvider

log = logging.getLogger("plugins.content_ignou")
MAX_BODY = 64_000


class CompletionEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    event_id: str = Field(min_length=1, max_length=200)
    course_id: str = Field(min_length=1, max_length=160)
    learner_id: str | None = Field(None, max_length=64)
    learner_email: str | None = Field(None, max_length=320)
    completed_at: AwareDatetime
    score_percent: int | None = Field(None, ge=0, le=100)
    certificate_url: str | None = Field(None, max_length=1000)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class CompletionsEndpoint:
    def __init__(self, gateway: Gateway, provider: IgnouProvider) -> None:
        self.gateway = gateway
        self.provider = provider

    async def handle(self, request: Request) -> JSONResponse:
        settings = self.provider.settings
        body = await request.body()
        if len(body) > MAX_BODY:
            return _refuse(413, "The body is too large.")
        if settings.webhook_secret is None:
            return _refuse(503, "Completions are not accepted: webhook_secret is not configured.")
        timestamp = request.headers.get("x-ignou-timestamp", "")
        signature = request.headers.get("x-ignou-signature", "")
        expected = sign(settings.webhook_secret.get_secret_value(), timestamp, body)
        if not signature or not hmac.compare_digest(signature, expected):
            return _refuse(401, "Bad or missing X-Ignou-Signature.")
        try:
            age = abs(time.time() - int(timestamp))
        except ValueError:
            return _refuse(401, "X-Ignou-Timestamp must be Unix seconds.")
        if age > settings.replay_window_seconds:
            return _refuse(
                401, f"X-Ignou-Timestamp is outside the {settings.replay_window_seconds} s window."
            )
        try:
            event = CompletionEvent.model_validate(orjson.loads(body))
        except (orjson.JSONDecodeError, ValidationError) as exc:
            return _refuse(400, f"The body is not a completion event: {exc}")
        return await self.accept(event, body)

    async def accept(self, event: CompletionEvent, body: bytes) -> JSONResponse:
        course_id = event.course_id if ":" in event.course_id else f"ignou:{event.course_id}"
        if not course_id.startswith("ignou:"):
            return _refuse(422, f"{course_id} is not an IGNOU course.")
        batch = await self.provider.courses_by_ids([course_id])
        if batch.courses[0] is None:
            return _refuse(422, f"Unknown course {course_id}.")
        learner_id = await self._learner(event)
        if learner_id is None:
            return _refuse(422, "Unknown learner.")
        payload = orjson.loads(body)
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            existing = await session.get(IgnouCompletionRow, event.event_id)
            if existing is not None:
                if existing.payload == payload:
                    return JSONResponse({"status": "duplicate", "eventId": event.event_id})
                return _refuse(409, f"Event {event.event_id} was received with another body.")
            session.add(
                IgnouCompletionRow(
                    event_id=event.event_id,
                    course_id=course_id,
                    learner_id=learner_id,
                    completed_at=event.completed_at,
                    payload=payload,
                    received_at=utcnow(),
                )
            )
        delivered = await deliver_pending(self.gateway)
        return JSONResponse(
            {"status": "accepted", "eventId": event.event_id, "delivered": delivered > 0},
            status_code=202 if delivered == 0 else 200,
        )

    async def _learner(self, event: CompletionEvent) -> str | None:
        async with self.gateway.db.sessionmaker() as session:
            if event.learner_id:
                found = await session.scalar(select(LearnerRow.id).where(LearnerRow.id == event.learner_id))
            elif event.learner_email:
                found = await session.scalar(
                    select(LearnerRow.id).where(func.lower(LearnerRow.email) == event.learner_email.lower())
                )
            else:
                found = None
        return found


async def deliver_pending(gateway: Gateway) -> int:
    """Hand stored, undelivered completions to the passbook backend; returns how many."""
    backend = gateway.passbook  # checked against PassbookBackend when registered
    if backend is None:
        return 0
    record = backend.record_external_completion
    async with gateway.db.sessionmaker() as session:
        pending = (
            await session.scalars(
                select(IgnouCompletionRow)
                .where(IgnouCompletionRow.delivered_at.is_(None))
                .order_by(IgnouCompletionRow.received_at)
            )
        ).all()
    delivered = 0
    for row in pending:
        completion = ExternalCompletion(
            provider_id="ignou",
            event_id=row.event_id,
            course_id=row.course_id,
            learner_id=row.learner_id,
            completed_at=row.completed_at,
            score_percent=row.payload.get("scorePercent"),
            certificate_url=row.payload.get("certificateUrl"),
        )
        try:
            await record(completion)
        except Exception:
            log.exception("passbook refused completion %s; it stays pending", row.event_id)
            continue
        async with gateway.db.write_sessionmaker() as session, session.begin():
            stored = await session.get(IgnouCompletionRow, row.event_id)
            if stored is not None:
                stored.delivered_at = utcnow()
        delivered += 1
    return delivered
