"""Walking the browser sign-in flow against the gateway and the provider."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from gateway.directory.models import LearnerRow
from gateway.testing import GatewayClient
from plugins.identity.models import SessionRow

ME = "{ me { name email mobile status organisation { name } profileComplete } }"


def provider_settings(endpoints: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "client_id": "igot-karmayogi",
        "client_secret": "test-client-secret",
        **endpoints,
        **extra,
    }


async def start_sign_in(browser: httpx.AsyncClient, mode: str, sub: str, query: str = "") -> str:
    """Login redirect, the provider's authorize form, its answer: returns the
    callback URL the provider sends the browser to."""
    login = await browser.get(f"/auth/{mode}/login{query}")
    assert login.status_code == 302, login.text
    authorize = login.headers["location"]
    async with httpx.AsyncClient(trust_env=False) as idp:
        form = await idp.get(authorize)
        assert form.status_code == 200, form.text
        assert "<form" in form.text
        answer = await idp.post(authorize, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    callback = answer.headers["location"]
    assert callback.startswith(f"https://testserver/auth/{mode}/callback?")
    return callback


async def sign_in(browser: httpx.AsyncClient, mode: str, sub: str, query: str = "") -> httpx.Response:
    return await browser.get(await start_sign_in(browser, mode, sub, query))


async def graphql(
    browser: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await browser.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def counts(client: GatewayClient) -> tuple[int, int]:
    """(learners, sessions) in the database."""
    async with client.gateway.db.sessionmaker() as session:
        learners = await session.scalar(select(func.count()).select_from(LearnerRow))
        sessions = await session.scalar(select(func.count()).select_from(SessionRow))
    return int(learners or 0), int(sessions or 0)


async def learner_by_email(client: GatewayClient, email: str) -> LearnerRow | None:
    async with client.gateway.db.sessionmaker() as session:
        found: LearnerRow | None = await session.scalar(
            select(LearnerRow).where(func.lower(LearnerRow.email) == email.lower())
        )
    return found


async def parichay_gateway(
    make_gateway: Any, provider: Any, *, jan: bool = False, **plugins: Any
) -> GatewayClient:
    """A gateway whose Parichay (and, with ``jan``, Jan Parichay) sign-in uses
    the test provider."""
    section: dict[str, Any] = {"parichay": provider_settings(provider.endpoints())}
    if jan:
        section["jan_parichay"] = provider_settings(provider.endpoints())
    client: GatewayClient = await make_gateway(
        public_url="https://testserver", plugins={"identity_parichay": section, **plugins}
    )
    return client
