"""Reading credentials off a request, for identity sources (no verification here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jwt

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection


def bearer_token(request: HTTPConnection) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or ``None``."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` claim of a JWT, read without checking anything: only to pick
    which identity source should verify it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None
