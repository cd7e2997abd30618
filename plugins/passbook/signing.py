"""Certificate signatures (Ed25519) and the access code.

A certificate is signed over a canonical JSON payload (see
:func:`signed_payload`) with the passbook's private key; anyone holding the
public key (served at ``/passbook/certificate-key.pem``) can check a printed
certificate offline. See docs/passbook.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# Letters and digits that cannot be mistaken for one another when read aloud or
# typed from paper (no I/O, no 0/1).
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_DIGITS = "23456789"

_DEVELOPMENT_SEED = hashlib.sha256(b"karmayogi passbook development certificate key").digest()


def new_access_code() -> str:
    """Six characters, letter-digit alternating: ``A2B3C4``."""
    return "".join(secrets.choice(CODE_LETTERS if i % 2 == 0 else CODE_DIGITS) for i in range(6))


def is_access_code(text: str) -> bool:
    return len(text) == 6 and all(
        (ch in CODE_LETTERS) if i % 2 == 0 else (ch in CODE_DIGITS) for i, ch in enumerate(text)
    )


def development_key() -> Ed25519PrivateKey:
    """The stable key used in development (public: never for production)."""
    return Ed25519PrivateKey.from_private_bytes(_DEVELOPMENT_SEED)


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or from its 32-byte seed in base64url."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the certificate signing key must be an Ed25519 private key")
        return key
    try:
        seed = unb64url(text)
    except ValueError as exc:
        raise ValueError("the signing key is neither PEM nor a base64url seed") from exc
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes (43 base64url characters)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def new_seed() -> str:
    """A fresh random key, as the base64url seed ``signing_key`` accepts."""
    return b64url(secrets.token_bytes(32))


def is_development_key(pem: str) -> bool:
    try:
        key = load_private_key(pem)
    except ValueError:
        return False
    return public_pem(key) == public_pem(development_key())


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id(key: Ed25519PrivateKey) -> str:
    """A short fingerprint naming the key that signed a certificate."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signed_payload(
    *,
    certificate_id: str,
    access_code: str,
    learner_name: str,
    course_id: str,
    course_title: str,
    issued_at: dt.datetime,
) -> bytes:
    """The exact bytes a certificate signature covers: compact JSON, sorted keys,
    ``issuedAt`` in UTC with seconds."""
    payload = {
        "accessCode": access_code,
        "courseId": course_id,
        "courseTitle": course_title,
        "id": certificate_id,
        "issuedAt": issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "learnerName": learner_name,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Signer:
    """The passbook's certificate key."""

    key: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        return key_id(self.key)

    @property
    def public_pem(self) -> str:
        return public_pem(self.key)

    def sign(self, payload: bytes) -> str:
        return b64url(self.key.sign(payload))

    def verify(self, payload: bytes, signature: str) -> bool:
        return verify_signature(self.key.public_key(), payload, signature)


def verify_signature(public_key: Ed25519PublicKey, payload: bytes, signature: str) -> bool:
    try:
        public_key.verify(unb64url(signature), payload)
    except (InvalidSignature, ValueError):
        return False
    return True
