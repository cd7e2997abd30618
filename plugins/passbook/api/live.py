"""``enrolmentUpdated`` and ``certificateIssued``: the signed-in learner's own
changes, as they are committed (see ``plugins.passbook.events``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, cast

import strawberry
from strawberry import Info

from gateway.context import context_of
from plugins.passbook.api.certificates import Certificate
from plugins.passbook.api.enrolments import Enrolment
from plugins.passbook.events import certificate_topic, enrolment_topic
from plugins.passbook.models import CertificateRow, EnrolmentRow
from schema.services import EVENTS

if TYPE_CHECKING:
    from strawberry.types.field import StrawberryField


async def enrolment_updated(info: Info) -> AsyncGenerator[Enrolment, None]:
    """Each change to the signed-in learner's enrolments (progress, status, completion)."""
    ctx = context_of(info)
    learner_id = ctx.require_principal().learner_id
    async with ctx.gateway.service(EVENTS).subscribe(enrolment_topic(learner_id)) as events:
        async for payload in events:
            ctx.forget()
            async with ctx.db() as session:
                row = await session.get(EnrolmentRow, payload.get("enrolmentId"))
            if row is not None and row.learner_id == learner_id:
                yield Enrolment.from_row(row)


async def certificate_issued(info: Info) -> AsyncGenerator[Certificate, None]:
    """Each certificate issued to the signed-in learner, as it is issued."""
    ctx = context_of(info)
    learner_id = ctx.require_principal().learner_id
    async with ctx.gateway.service(EVENTS).subscribe(certificate_topic(learner_id)) as events:
        async for payload in events:
            ctx.forget()
            async with ctx.db() as session:
                row = await session.get(CertificateRow, payload.get("certificateId"))
            if row is not None and row.learner_id == learner_id:
                yield Certificate.from_row(row)


SUBSCRIPTION_FIELDS: list[StrawberryField] = [
    cast("StrawberryField", strawberry.subscription(resolver=enrolment_updated, name="enrolmentUpdated")),
    cast("StrawberryField", strawberry.subscription(resolver=certificate_issued, name="certificateIssued")),
]
