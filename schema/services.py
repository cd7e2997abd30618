"""Services one plugin provides and others use, by protocol.

A plugin provides a service from ``register_services`` (``{KEY: object}``);
another asks ``gateway.service(KEY)`` (start-up stops naming the service when
no enabled plugin provides it) or ``gateway.optional_service(KEY)`` (``None``).
Two plugins providing one service stop start-up naming both.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from schema.context import ServiceKey

if TYPE_CHECKING:
    from starlette.responses import Response

    from schema.identity import VerifiedIdentity
    from schema.reads import LearnerRecord

Payload = Mapping[str, Any]


class IssuedTokens(Protocol):
    """A started gateway session, as the client receives it."""

    @property
    def session_id(self) -> str: ...
    @property
    def learner_id(self) -> str: ...
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...
    def as_json(self) -> dict[str, Any]: ...


class SignIn(Protocol):
    """Registration and gateway sessions, for identity sources (Parichay, a
    state's SSO): find or create the learner, then start a session."""

    @property
    def cookie_secure(self) -> bool:
        """Whether cookies set during sign-in must be ``Secure`` (HTTPS)."""
        ...

    async def sign_in(
        self, identity: VerifiedIdentity, *, by_mobile_organisation: str | None = None
    ) -> LearnerRecord:
        """The learner for what the identity provider vouched for, under the
        registration policy; raises :class:`schema.identity.SignInRefused`."""
        ...

    async def start(self, learner_id: str, source: str, upstream_token: str | None = None) -> IssuedTokens:
        """Start a gateway session for ``learner_id`` (signed in by ``source``)."""
        ...

    async def respond(
        self,
        learner: LearnerRecord,
        source: str,
        *,
        upstream_token: str | None = None,
        want_json: bool = False,
        return_to: str = "/graphql",
    ) -> Response:
        """Start a session and answer the client: a 303 with the session
        cookies for browsers, or the tokens as JSON for API clients."""
        ...


class EventBus(Protocol):
    """Live events, within the process or across workers."""

    async def publish(self, topic: str, payload: Payload) -> None: ...

    def stage(self, session: Any, events: Sequence[tuple[str, Payload]]) -> list[tuple[str, dict[str, Any]]]:
        """Stage events announcing what ``session`` (a sync SQLAlchemy session
        in its transaction, as a ``before_commit`` listener gets it) is about
        to commit: with Redis they are written to the outbox in that same
        transaction, so none is lost to a Redis outage. Each gets an
        ``eventId``. Pass what this returns to :meth:`committed`."""
        ...

    def committed(self, staged: list[tuple[str, dict[str, Any]]]) -> None:
        """The staging transaction committed: deliver (or relay) its events."""
        ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Payload]]: ...


SIGN_IN: ServiceKey[SignIn] = ServiceKey("sign_in", SignIn)
"""Provided by the ``identity`` plugin (gateway sessions)."""
EVENTS: ServiceKey[EventBus] = ServiceKey("events", EventBus)
"""Provided by the ``subscriptions`` plugin; publishers skip publishing without it."""
