"""Passbook events for live dashboards (``enrolmentUpdated``, ``certificateIssued``).

Every committed change to an enrolment or a new certificate, whatever wrote it
(a mutation, the external completions webhook, an admin action), publishes an
event on the gateway's event bus (``plugins.subscriptions``; across workers
through Redis when ``redis_url`` is set). Events carry ids only; the
subscription loads the current row for the signed-in learner, so a learner
only ever receives their own enrolments and certificates.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from plugins.passbook.models import CertificateRow, EnrolmentRow
from schema.services import EVENTS

if TYPE_CHECKING:
    from gateway.host import Gateway

log = logging.getLogger("plugins.passbook.events")

_PENDING = "passbook.live_events"
_GATEWAYS: weakref.WeakKeyDictionary[Any, Gateway] = weakref.WeakKeyDictionary()
_IN_FLIGHT: set[asyncio.Task[None]] = set()


def enrolment_topic(learner_id: str) -> str:
    return f"passbook:enrolments:{learner_id}"


def certificate_topic(learner_id: str) -> str:
    return f"passbook:certificates:{learner_id}"


def _gateway_of(session: Session) -> Gateway | None:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    return _GATEWAYS.get(engine)


def _after_flush(session: Session, _context: Any) -> None:
    if _gateway_of(session) is None:
        return
    pending: list[tuple[str, dict[str, str]]] = session.info.setdefault(_PENDING, [])
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, EnrolmentRow):
            pending.append((enrolment_topic(obj.learner_id), {"enrolmentId": obj.id}))
        elif isinstance(obj, CertificateRow) and obj in session.new:
            pending.append((certificate_topic(obj.learner_id), {"certificateId": obj.id}))


def touch(session: Any, enrolment: EnrolmentRow) -> None:
    """Announce ``enrolment`` after commit even if no flush changed it (rows
    written with Core ``INSERT ... ON CONFLICT``, which fires no flush event)."""
    pending: list[tuple[str, dict[str, str]]] = session.info.setdefault(_PENDING, [])
    pending.append((enrolment_topic(enrolment.learner_id), {"enrolmentId": enrolment.id}))


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    gateway = _gateway_of(session)
    if not pending or gateway is None:
        return
    bus = gateway.optional_service(EVENTS)
    if bus is None:  # the subscriptions plugin is blocked: nobody listens
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop: nobody listens
        return
    seen: set[tuple[str, str]] = set()
    for topic, payload in pending:
        key = (topic, next(iter(payload.values())))
        if key in seen:
            continue
        seen.add(key)
        task = loop.create_task(bus.publish(topic, payload))
        _IN_FLIGHT.add(task)  # keep a reference until it is done (asyncio holds only weak ones)
        task.add_done_callback(_log_failure)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _log_failure(task: asyncio.Task[None]) -> None:
    _IN_FLIGHT.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("publishing a passbook event failed", exc_info=task.exception())


def install(gateway: Gateway) -> None:
    """Publish this gateway's passbook writes (called at start-up)."""
    _GATEWAYS[gateway.db.write_engine.sync_engine] = gateway
    _GATEWAYS[gateway.db.engine.sync_engine] = gateway
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
