"""Passbook events for live dashboards (``enrolmentUpdated``, ``certificateIssued``).

Every committed change to an enrolment or a new certificate, whatever wrote it
(a mutation, the external completions webhook, an admin action), publishes an
event on the gateway's event bus (``plugins.subscriptions``; across workers
through Redis when ``redis_url`` is set). Events carry ids only; the
subscription loads the current row for the signed-in learner, so a learner
only ever receives their own enrolments and certificates.
"""

from __future__ import annotations

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
_STAGED = "passbook.staged_events"
_GATEWAYS: weakref.WeakKeyDictionary[Any, Gateway] = weakref.WeakKeyDictionary()


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


def _before_commit(session: Session) -> None:
    """Stage the transaction's events in it (the outbox, with Redis)."""
    gateway = _gateway_of(session)
    if gateway is None:
        return
    session.flush()  # what the commit would flush, so its events are known
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    bus = gateway.optional_service(EVENTS)
    if bus is None:  # the subscriptions plugin is blocked: nobody listens
        return
    seen: set[tuple[str, str]] = set()
    events: list[tuple[str, dict[str, str]]] = []
    for topic, payload in pending:
        key = (topic, next(iter(payload.values())))
        if key not in seen:
            seen.add(key)
            events.append((topic, payload))
    session.info[_STAGED] = (bus, bus.stage(session, events))


def _after_commit(session: Session) -> None:
    staged = session.info.pop(_STAGED, None)
    if staged is not None:
        bus, events = staged
        bus.committed(events)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_STAGED, None)


def install(gateway: Gateway) -> None:
    """Publish this gateway's passbook writes (called at start-up)."""
    _GATEWAYS[gateway.db.write_engine.sync_engine] = gateway
    _GATEWAYS[gateway.db.engine.sync_engine] = gateway
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
