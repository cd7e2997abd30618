"""The passbook's per-app state: settings, the certificate signer, and the
backend the content side hands external completions to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from gateway.directory.models import LearnerRow
from plugins.passbook import completion, signing
from plugins.passbook.courses import require_course
from plugins.passbook.models import EnrolmentRow, ExternalEventRow
from plugins.passbook.service import ensure_enrolment
from plugins.passbook.settings import PassbookSettings
from plugins.passbook.store import insert_for, lock_enrolment

if TYPE_CHECKING:
    from gateway.host import Gateway

PLUGIN = "passbook"


class PassbookRuntime:
    """Built once per app; ``gateway.passbook`` is this object (the backend)."""

    name = "passbook"

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.settings: PassbookSettings = gateway.plugin_settings(PassbookSettings)
        key = self.settings.signing_key
        private = (
            signing.load_private_key(key.get_secret_value()) if key is not None else signing.development_key()
        )
        self.signer = signing.Signer(private)

    @property
    def public_url(self) -> str:
        return self.gateway.settings.public_url.rstrip("/")

    def verify_url(self, certificate_id: str, access_code: str, served_at: str | None = None) -> str:
        base = self.gateway.settings.link_base(served_at)
        return f"{base}/passbook/verify/{certificate_id}?code={access_code}"

    def download_url(self, certificate_id: str, access_code: str, served_at: str | None = None) -> str:
        base = self.gateway.settings.link_base(served_at)
        return f"{base}/passbook/certificates/{certificate_id}.pdf?code={access_code}"

    # -- the backend protocol (schema.passbook.PassbookBackend) -----------------

    async def enrolled_course_ids(self, learner_id: str, course_ids: Sequence[str]) -> set[str]:
        if not course_ids:
            return set()
        async with self.gateway.db.sessionmaker() as session:
            rows = await session.scalars(
                select(EnrolmentRow.course_id).where(
                    EnrolmentRow.learner_id == learner_id, EnrolmentRow.course_id.in_(list(course_ids))
                )
            )
            return set(rows.all())

    async def record_external_completion(self, completion_event: Any) -> None:
        """Apply an external provider's completion report, once per event id and
        once per enrolment: the enrolment is created if the learner started on
        the provider's platform, then completed like any other (certificate,
        EXTERNAL_COURSE evidence, karma). Raises ``LookupError`` for an unknown
        learner or course and ``ValueError`` for a hosted course."""
        course = await require_course(self.gateway, completion_event.course_id)
        if not course.external:
            raise ValueError(f"{course.id} is a hosted course; it completes from its own resources")
        async with self.gateway.db.write_sessionmaker() as session, session.begin():
            if await session.get(LearnerRow, completion_event.learner_id) is None:
                raise LookupError(f"no learner {completion_event.learner_id}")
            enrolment = await ensure_enrolment(session, completion_event.learner_id, course)
            fresh = await session.execute(
                insert_for(session, ExternalEventRow)
                .values(
                    provider_id=completion_event.provider_id,
                    event_id=completion_event.event_id,
                    enrolment_id=enrolment.id,
                    received_at=dt.datetime.now(dt.UTC),
                )
                .on_conflict_do_nothing(index_elements=["provider_id", "event_id"])
                .returning(ExternalEventRow.id)
            )
            if fresh.scalar_one_or_none() is None:
                return  # this event was applied before
            locked = await lock_enrolment(session, enrolment.id)
            assert locked is not None
            if locked.status == "COMPLETED":
                return
            completed_at = completion_event.completed_at
            if completed_at.tzinfo is None:
                completed_at = completed_at.replace(tzinfo=dt.UTC)
            await completion.complete(
                session,
                enrolment=locked,
                course=course,
                signer=self.signer,
                settings=self.settings,
                completed_at=completed_at,
                evidence_url=getattr(completion_event, "certificate_url", None),
            )


def runtime_of(gateway: Gateway) -> PassbookRuntime:
    runtime = gateway.passbook
    assert isinstance(runtime, PassbookRuntime), "the passbook plugin is the active backend"
    return runtime
