"""Reading credentials from a request and writing session cookies."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.responses import Response

    from gateway.identity.sessions import IssuedSession
    from gateway.identity.settings import IdentitySettings

REFRESH_PATH = "/auth"


def refresh_cookie_name(settings: IdentitySettings) -> str:
    return settings.cookie_name + "_refresh"


def bearer_token(request: HTTPConnection) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or ``None``."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def set_session_cookies(response: Response, issued: IssuedSession, settings: IdentitySettings) -> None:
    """HttpOnly, Secure, SameSite=Lax access cookie; the refresh cookie is
    sent only to ``/auth`` and only same-site."""
    response.set_cookie(
        settings.cookie_name,
        issued.access_token,
        max_age=settings.access_token_minutes * 60,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        refresh_cookie_name(settings),
        issued.refresh_token,
        max_age=settings.refresh_token_days * 86400,
        path=REFRESH_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookies(response: Response, settings: IdentitySettings) -> None:
    response.delete_cookie(settings.cookie_name, path="/", secure=settings.cookie_secure, httponly=True)
    response.delete_cookie(
        refresh_cookie_name(settings),
        path=REFRESH_PATH,
        secure=settings.cookie_secure,
        httponly=True,
    )
