"""The identity plugin's per-app objects: its settings, key ring and session service."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from plugins.identity.keys import KeyRing, development_key, load_key
from plugins.identity.sessions import SessionService
from plugins.identity.settings import IdentitySettings
from schema.context import StateKey

if TYPE_CHECKING:
    from gateway.host import Gateway

NAME = "identity"
SESSIONS: StateKey[SessionService] = StateKey("identity.sessions")


def identity_settings(gateway: Gateway) -> IdentitySettings:
    return gateway.plugin_settings(IdentitySettings)


def key_ring(gateway: Gateway) -> KeyRing:
    settings = identity_settings(gateway)
    lifetime = dt.timedelta(minutes=settings.access_minutes(gateway.settings.is_production))
    if settings.session_keys:
        return KeyRing([load_key(k) for k in settings.session_keys], lifetime)
    return KeyRing(
        [
            development_key(
                gateway.settings.secret_key.get_secret_value(),
                gateway.settings.database_url.get_secret_value(),
            )
        ],
        lifetime,
    )


def session_service(gateway: Gateway) -> SessionService:
    """The gateway's session service (made on first use; Redis joins at start-up)."""
    service = gateway.state.get(SESSIONS)
    if service is None:
        service = SessionService(gateway, identity_settings(gateway), key_ring(gateway))
        gateway.state[SESSIONS] = service
    return service
