"""The OAuth 2.0 calls: code exchange, user details, token revocation."""

from __future__ import annotations

from typing import Any

import httpx

from plugins.identity_parichay.oidc import ProviderError


async def exchange_code(
    http: httpx.AsyncClient,
    *,
    token_url: str,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    code_verifier: str,
    timeout_seconds: float,
) -> dict[str, Any]:
    """Swap the authorization code (with the PKCE verifier) for tokens."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": code_verifier,
    }
    if client_secret:
        form["client_secret"] = client_secret
    try:
        response = await http.post(
            token_url, data=form, headers={"Accept": "application/json"}, timeout=timeout_seconds
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"{type(exc).__name__} from the token endpoint") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        raise ProviderError(f"token endpoint refused the code ({error or response.status_code})")
    if not isinstance(body.get("access_token"), str):
        raise ProviderError("token endpoint answered without an access_token")
    return body


async def user_details(
    http: httpx.AsyncClient, url: str, access_token: str, scheme: str, timeout_seconds: float
) -> dict[str, Any]:
    authorization = f"{scheme} {access_token}" if scheme else access_token
    try:
        response = await http.get(
            url,
            headers={"Authorization": authorization, "Accept": "application/json"},
            timeout=timeout_seconds,
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"{type(exc).__name__} from the user-details endpoint") from exc
    if response.status_code != 200:
        raise ProviderError(f"user-details endpoint answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise ProviderError("user-details endpoint did not answer JSON") from exc
    if not isinstance(body, dict):
        raise ProviderError("user-details endpoint did not answer a JSON object")
    return body


async def revoke_token(
    http: httpx.AsyncClient,
    *,
    url: str,
    token: str,
    client_id: str,
    client_secret: str,
    timeout_seconds: float,
) -> None:
    """RFC 7009 revocation of the provider's access token."""
    form = {"token": token, "token_type_hint": "access_token", "client_id": client_id}
    if client_secret:
        form["client_secret"] = client_secret
    try:
        response = await http.post(url, data=form, timeout=timeout_seconds)
    except httpx.HTTPError as exc:
        raise ProviderError(f"{type(exc).__name__} from the revoke endpoint") from exc
    if response.status_code >= 400:
        raise ProviderError(f"revoke endpoint answered HTTP {response.status_code}")


def text_claim(details: dict[str, Any], field: str) -> str | None:
    value = details.get(field)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
