"""Gateway session tokens: short-lived JWTs signed with the key ring."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import jwt

from plugins.identity.keys import KeyRing

MAX_TOKEN_BYTES = 8 * 1024
AUDIENCE = "karmayogi-gateway"


class InvalidToken(Exception):
    """A token we must refuse; the message is safe to show (no token in it)."""


@dataclass(frozen=True)
class SessionClaims:
    learner_id: str
    session_id: str
    source: str
    expires_at: dt.datetime


# RFC 7519 section 4.1: NumericDate claims are JSON numbers, StringOrURI
# claims are strings, "aud" is a string or an array of strings. Our own
# "sid" and "src" are strings. The JWT library converts some of these
# (a numeric string "exp" passes); the rule is ours, so we check it.
NUMERIC_DATE_CLAIMS = ("exp", "iat", "nbf")
STRING_CLAIMS = ("iss", "sub", "jti", "sid", "src")


def check_claim_types(claims: dict[str, Any]) -> None:
    """Refuse registered claims whose JSON type is not the one RFC 7519 gives."""
    for name in NUMERIC_DATE_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidToken(f"Session token claim '{name}' must be a number.")
    for name in STRING_CLAIMS:
        if name in claims and not isinstance(claims[name], str):
            raise InvalidToken(f"Session token claim '{name}' must be a string.")
    if "aud" in claims:
        aud = claims["aud"]
        if not (isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))):
            raise InvalidToken("Session token claim 'aud' must be a string or a list of strings.")


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, after the size check; refuses what is not a JWS."""
    if len(token.encode()) > MAX_TOKEN_BYTES:
        raise InvalidToken(f"Token is larger than {MAX_TOKEN_BYTES} bytes.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("Token is not a signed JWT.") from exc
    return header


def issue(
    ring: KeyRing,
    *,
    issuer: str,
    learner_id: str,
    session_id: str,
    source: str,
    now: dt.datetime,
) -> tuple[str, dt.datetime]:
    expires = now + ring.token_lifetime
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": learner_id,
        "sid": session_id,
        "src": source,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_urlsafe(12),
    }
    key = ring.signing
    token = jwt.encode(
        claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": "JWT"}
    )
    return token, expires


def verify(ring: KeyRing, token: str, *, issuer: str, leeway: int, now: dt.datetime) -> SessionClaims:
    """Check size, key, algorithm, signature, issuer, audience and times."""
    header = unverified_header(token)
    kid = header.get("kid")
    key = ring.keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidToken("Session token was signed by a key this gateway no longer accepts.")
    if header.get("alg") != key.algorithm:
        raise InvalidToken("Session token uses the wrong algorithm.")
    try:
        # Types first (on the payload as sent; the signature is checked next),
        # so the library never converts or trips over a mistyped claim.
        check_claim_types(jwt.decode(token, options={"verify_signature": False}))
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[key.algorithm],
            audience=AUDIENCE,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["exp", "iat", "sub", "sid", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("Session token has expired; refresh it or sign in again.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("Session token is not valid.") from exc
    if ring.verifying_key(key.kid, int(claims["iat"]), now) is None:
        raise InvalidToken("Session token was signed by a key this gateway no longer accepts.")
    return SessionClaims(
        learner_id=claims["sub"],
        session_id=claims["sid"],
        source=claims.get("src", ""),
        expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
    )
