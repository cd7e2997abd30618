"""Signing keys for gateway session tokens, and their rotation.

Configured keys come from settings as PEM. Without any, development derives
one Ed25519 key from ``secret_key`` and the database URL, so every worker and
every restart sharing a database agree on it; production refuses that key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from schema.errors import StartupError

if TYPE_CHECKING:
    from plugins.identity.settings import SessionKey

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private_key: PrivateKey
    retired_at: dt.datetime | None = None

    @property
    def public_key(self) -> Any:
        return self.private_key.public_key()


def algorithm_for(key: Any, kid: str) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name != "secp256r1":
            raise StartupError(f"Session key {kid!r}: use the P-256 curve for EC keys.")
        return "ES256"
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise StartupError(f"Session key {kid!r}: RSA keys need 2048 bits or more.")
        return "RS256"
    raise StartupError(f"Session key {kid!r}: use an Ed25519, EC P-256 or RSA private key.")


def load_key(config: SessionKey) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(
            config.private_key.get_secret_value().encode(), password=None
        )
    except (ValueError, TypeError) as exc:
        raise StartupError(
            f"plugins.identity.session_keys: key {config.kid!r} is not an unencrypted PEM private key."
        ) from exc
    return SigningKey(
        kid=config.kid,
        algorithm=algorithm_for(key, config.kid),
        private_key=key,  # type: ignore[arg-type]
        retired_at=config.retired_at,
    )


def development_key(secret_key: str, database_url: str) -> SigningKey:
    """The same Ed25519 key for every worker using this secret and database."""
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"karmayogi-gateway development session key",
        info=database_url.encode(),
    ).derive(secret_key.encode())
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return SigningKey(
        kid="dev-" + hashlib.sha256(public).hexdigest()[:12], algorithm="EdDSA", private_key=key
    )


class KeyRing:
    """The key that signs new tokens and the keys that still verify old ones."""

    def __init__(self, keys: list[SigningKey], token_lifetime: dt.timedelta) -> None:
        self.keys = {k.kid: k for k in keys}
        self.signing = next(k for k in keys if k.retired_at is None)
        self.token_lifetime = token_lifetime

    def verifying_key(self, kid: str, issued_at: int, now: dt.datetime) -> SigningKey | None:
        """The key for ``kid`` if it may still verify a token issued at ``issued_at``.

        A retired key verifies only tokens it signed before it retired, and
        only until the last of them has expired.
        """
        key = self.keys.get(kid)
        if key is None:
            return None
        if key.retired_at is not None:
            if issued_at > key.retired_at.timestamp():
                return None
            if now > key.retired_at + self.token_lifetime:
                return None
        return key
