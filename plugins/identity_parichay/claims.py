"""The identity rules applied to verified OIDC claims."""

from __future__ import annotations

from typing import Any

from plugins.identity_parichay import oauth
from schema.identity import SignInRefused, VerifiedIdentity, normalise_mobile


def identity_from_claims(claims: dict[str, Any]) -> VerifiedIdentity:
    """The identity rules for verified OIDC claims, the one place both the
    browser callback (ID token) and API bearer tokens apply them: an email the
    provider says it has not verified (``email_verified: false``) is refused;
    a phone number counts only with ``phone_number_verified: true``."""
    if claims.get("email_verified") is False:
        raise SignInRefused("Your identity provider has not verified your email address yet.")
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    mobile = None
    if claims.get("phone_number_verified") is True:
        mobile = normalise_mobile(oauth.text_claim(claims, "phone_number"))
    return VerifiedIdentity(
        "oidc",
        email,
        mobile,
        oauth.text_claim(claims, "given_name") or oauth.text_claim(claims, "name"),
        oauth.text_claim(claims, "family_name"),
    )
