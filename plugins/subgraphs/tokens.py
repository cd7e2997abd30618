"""The short-lived token the gateway signs for a subgraph, and its JWKS.

A subgraph never sees the learner's own session token. For each request it
gets ``Authorization: Bearer <JWT>`` signed with the gateway's Ed25519 key
(``alg: EdDSA``), with ``sub`` (learner id), ``org``, ``roles``, ``state``,
``aud`` (the subgraph's name), ``iss``, ``iat``, ``exp`` (``token_seconds``)
and ``jti``; it verifies it with the public key published at
``/.well-known/subgraphs/jwks.json`` (docs/federation.md).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_DEVELOPMENT_SEED = hashlib.sha256(b"karmayogi subgraph token development key").digest()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_key(text: str | None) -> Ed25519PrivateKey:
    """PEM (PKCS#8) or a 32-byte seed in base64url; ``None``: the development key."""
    if text is None:
        return Ed25519PrivateKey.from_private_bytes(_DEVELOPMENT_SEED)
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the subgraph signing key must be an Ed25519 private key")
        return key
    seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes (43 base64url characters)")
    return Ed25519PrivateKey.from_private_bytes(seed)


class TokenSigner:
    def __init__(self, key: Ed25519PrivateKey, issuer: str, seconds: int) -> None:
        self.key = key
        self.issuer = issuer
        self.seconds = seconds
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_x = _b64url(raw)
        self.kid = _b64url(hashlib.sha256(raw).digest()[:12])

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": self.public_x,
                    "kid": self.kid,
                    "alg": "EdDSA",
                    "use": "sig",
                }
            ]
        }

    def sign(self, audience: str, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + self.seconds,
            "jti": secrets.token_urlsafe(12),
        }
        return jwt.encode(payload, self.key, algorithm="EdDSA", headers={"kid": self.kid})
