"""Reading credentials from a request and writing session cookies."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.responses import Response

    from plugins.identity.sessions import IssuedSession
    from plugins.identity.settings import IdentitySettings

__all__ = [
    "REFRESH_PATH",
    "clear_session_cookies",
    "refresh_cookie_name",
    "set_session_cookies",
]

REFRESH_PATH = "/auth"


def refresh_cookie_name(settings: IdentitySettings) -> str:
    return settings.cookie_name + "_refresh"


def set_session_cookies(response: Response, issued: IssuedSession, settings: IdentitySettings) -> None:
    """HttpOnly, Secure, SameSite=Lax access cookie; the refresh cookie is
    sent only to ``/auth`` and only same-site."""
    response.set_cookie(
        settings.cookie_name,
        issued.access_token,
        max_age=max(1, int((issued.access_expires_at - dt.datetime.now(dt.UTC)).total_seconds())),
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
