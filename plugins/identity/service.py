"""The ``SIGN_IN`` service (``schema.services.SignIn``) this plugin provides to
identity sources: the registration policy, then a gateway session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plugins.identity.http import signed_in_response
from plugins.identity.registration import sign_in_learner
from plugins.identity.runtime import identity_settings, session_service

if TYPE_CHECKING:
    from starlette.responses import Response

    from gateway.directory.models import LearnerRow
    from gateway.host import Gateway
    from plugins.identity.sessions import IssuedSession
    from schema.identity import VerifiedIdentity


class SignInService:
    """``schema.services.SignIn``: registration policy and gateway sessions for
    identity sources."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    @property
    def cookie_secure(self) -> bool:
        return identity_settings(self.gateway).cookie_secure

    async def sign_in(
        self, identity: VerifiedIdentity, *, by_mobile_organisation: str | None = None
    ) -> LearnerRow:
        return await sign_in_learner(self.gateway, identity, by_mobile_organisation=by_mobile_organisation)

    async def start(self, learner_id: str, source: str, upstream_token: str | None = None) -> IssuedSession:
        return await session_service(self.gateway).start(learner_id, source, upstream_token)

    async def respond(self, learner: Any, source: str, **options: Any) -> Response:
        return await signed_in_response(self.gateway, learner, source, **options)
