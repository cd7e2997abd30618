"""The plugin's per-gateway state: its HTTP client and the OIDC issuer's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from plugins.identity_parichay.oidc import OidcClient
from plugins.identity_parichay.settings import ParichaySettings
from schema.context import StateKey

if TYPE_CHECKING:
    from gateway.host import Gateway

NAME = "identity_parichay"


class Runtime:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.settings: ParichaySettings = gateway.plugin_settings(ParichaySettings)
        # No redirects: an identity provider's answers are read as given.
        self.http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        self.oidc = OidcClient(self.settings.oidc, self.http) if self.settings.oidc.enabled else None

    def redirect_uri(self, mode: str) -> str:
        return f"{self.gateway.settings.public_url.rstrip('/')}/auth/{mode}/callback"

    async def close(self) -> None:
        await self.http.aclose()


RUNTIME: StateKey[Runtime] = StateKey("identity_parichay.runtime")


def runtime(gateway: Gateway) -> Runtime:
    found = gateway.state.get(RUNTIME)
    if found is None:
        found = Runtime(gateway)
        gateway.state[RUNTIME] = found
    return found
