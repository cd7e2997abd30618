"""Opaque, tamper-proof catalogue cursors.

A cursor is the ranking key of the last course a client saw, signed with an
HMAC derived from the gateway's ``secret_key``. Paging is by key ("courses
ranked after this one"), not by offset, so a cursor stays valid while a
provider is added, removed or down: the next page simply starts after the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

from schema.errors import BadUserInput

RankKey = tuple[int, str, str]
_VERSION = 1


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"karmayogi-catalogue-cursor\0" + secret.encode()).digest()

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]

    def encode(self, key: RankKey) -> str:
        payload = orjson.dumps([_VERSION, *key])
        raw = self._sign(payload) + payload
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> RankKey:
        problem = BadUserInput(
            "The cursor is not valid: pass back an endCursor exactly as this gateway gave it.",
            field="after",
        )
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError):
            raise problem from None
        signature, payload = raw[:16], raw[16:]
        if len(signature) < 16 or not hmac.compare_digest(signature, self._sign(payload)):
            raise problem
        try:
            version, tier, title, course_id = orjson.loads(payload)
        except (orjson.JSONDecodeError, ValueError, TypeError):
            raise problem from None
        if version != _VERSION or not isinstance(tier, int):
            raise problem
        return (tier, str(title), str(course_id))
