"""OpenID Connect: discovery, and checking ID tokens and bearer access tokens.

Checks follow OIDC Core 3.1.3.7: exact ``iss``; ``aud`` contains our client
id (and ``azp`` is us when there are several); ``exp`` and ``iat`` with a
bounded leeway; the ``nonce`` we sent. Only the configured public-key
algorithms are accepted; the key always comes from the issuer's JWKS, never
from ``jku``, ``x5u`` or an embedded ``jwk`` header.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

import httpx
import jwt

from plugins.identity_parichay.jwks import JwksCache

if TYPE_CHECKING:
    from plugins.identity_parichay.settings import OidcSettings

MAX_TOKEN_BYTES = 8 * 1024
KEY_FAMILIES = {"RSA": ("RS", "PS"), "EC": ("ES",), "OKP": ("EdDSA",)}


class TokenRejected(Exception):
    """A token we refuse; the message names the check, never the token."""


class ProviderError(Exception):
    """The identity provider could not be reached or answered badly."""


class OidcClient:
    """Discovery document and JWKS for one issuer, fetched lazily."""

    def __init__(self, settings: OidcSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self._metadata: dict[str, Any] | None = None
        self.jwks = JwksCache(
            self._fetch_jwks,
            min_refetch=settings.jwks_refetch_seconds,
            max_age=settings.jwks_max_age_seconds,
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await get_json(self.http, url, self.settings.timeout_seconds)
            if document.get("issuer") != self.settings.issuer:
                raise ProviderError("The discovery document names a different issuer.")
            for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(needed), str):
                    raise ProviderError(f"The discovery document has no {needed}.")
            self._metadata = document
        return self._metadata

    async def _fetch_jwks(self) -> Any:
        url = (await self.metadata())["jwks_uri"]
        return await get_json(self.http, url, self.settings.timeout_seconds)

    async def verify(self, token: str, *, audience: str, nonce: str | None = None) -> dict[str, Any]:
        return await verify_jwt(
            token,
            jwks=self.jwks,
            issuer=self.settings.issuer,
            audience=audience,
            algorithms=self.settings.algorithms,
            leeway=self.settings.leeway_seconds,
            nonce=nonce,
        )


async def get_json(http: httpx.AsyncClient, url: str, timeout_seconds: float) -> dict[str, Any]:
    try:
        response = await http.get(url, timeout=timeout_seconds)
    except httpx.HTTPError as exc:
        raise ProviderError(f"{type(exc).__name__} from {url}") from exc
    if response.status_code != 200:
        raise ProviderError(f"HTTP {response.status_code} from {url}")
    try:
        body = response.json()
    except ValueError as exc:
        raise ProviderError(f"{url} did not answer JSON") from exc
    if not isinstance(body, dict):
        raise ProviderError(f"{url} did not answer a JSON object")
    return body


async def verify_jwt(
    token: str,
    *,
    jwks: JwksCache,
    issuer: str,
    audience: str,
    algorithms: list[str],
    leeway: int,
    nonce: str | None = None,
) -> dict[str, Any]:
    if len(token.encode()) > MAX_TOKEN_BYTES:
        raise TokenRejected(f"token is larger than {MAX_TOKEN_BYTES} bytes")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenRejected("token is not a signed JWT") from exc
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms or alg == "none" or alg.startswith("HS"):
        raise TokenRejected(f"algorithm {alg!r} is not accepted")
    kid = header.get("kid")
    key = await jwks.get(kid if isinstance(kid, str) else None)
    if key is None:
        raise TokenRejected("token is signed by a key the issuer does not publish")
    if not alg.startswith(KEY_FAMILIES.get(key.key_type or "", ())):
        raise TokenRejected("the key does not match the token's algorithm")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[alg],
            audience=audience,
            issuer=issuer,
            leeway=min(leeway, 60),
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenRejected("token has expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise TokenRejected("token is not valid yet") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenRejected("token is from another issuer") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenRejected("token is meant for another audience") from exc
    except jwt.PyJWTError as exc:
        raise TokenRejected(f"token is not valid ({type(exc).__name__})") from exc
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") not in (None, audience):
        raise TokenRejected("token was issued to another party (azp)")
    if nonce is not None:
        got = claims.get("nonce")
        if not isinstance(got, str) or not hmac.compare_digest(got, nonce):
            raise TokenRejected("ID token nonce does not match this sign-in")
    return claims


def check_response_issuer(metadata: dict[str, Any], issuer: str, iss: str | None) -> None:
    """RFC 9207: an authorization response's ``iss`` must be the issuer the
    request went to; when the provider advertises
    ``authorization_response_iss_parameter_supported``, a response without it
    is refused too. Checked before the code is sent anywhere (a mix-up attack
    would have us send another issuer's code to this token endpoint)."""
    if iss is None:
        if metadata.get("authorization_response_iss_parameter_supported") is True:
            raise TokenRejected("the authorization response names no issuer (RFC 9207)")
        return
    if not hmac.compare_digest(iss.encode(), issuer.encode()):
        raise TokenRejected("the authorization response comes from another issuer (RFC 9207)")
