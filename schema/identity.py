"""Who is asking: what an identity plugin hands to the gateway."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Principal:
    """A signed-in learner.

    ``learner_id`` is the core learner record's id. ``source`` names the
    identity plugin that recognised the request; ``session_id`` is set for
    gateway sessions (so logout can revoke it). ``learner`` is the learner's
    record (``schema.reads.LearnerRecord``) when the identity source read it
    anyway: the request's learner loads start from it instead of reading it
    again.
    """

    learner_id: str
    source: str
    session_id: str | None = None
    learner: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class EndedSession:
    """A gateway session that was just signed out (see ``session_ended``).

    ``source`` names the identity plugin that started it; ``upstream_token`` is
    the identity provider's access token that plugin stored, to revoke there.
    """

    session_id: str
    learner_id: str
    source: str
    upstream_token: str | None = None


EMAIL = re.compile(r"^[^@\s]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


class SignInRefused(Exception):
    """Sign-in is refused; ``message`` is shown to the person signing in."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class VerifiedIdentity:
    """What an identity provider vouched for."""

    source: str
    email: str | None = None
    mobile: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def name(self) -> str:
        full = " ".join(p.strip() for p in (self.first_name, self.last_name) if p and p.strip())
        if full:
            return full[:200]
        if self.email:
            return self.email.split("@", 1)[0][:200]
        return "Karmayogi learner"


def normalise_email(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    email = raw.strip().lower()
    if len(email) > 320 or not EMAIL.match(email):
        return None
    return email


def normalise_mobile(raw: str | None) -> str | None:
    """An Indian mobile number as 10 digits (drops +91, 0091 or a leading 0)."""
    if raw is None:
        return None
    digits = re.sub(r"[\s()-]", "", raw.strip())
    if digits.startswith("+91"):
        digits = digits[3:]
    elif digits.startswith("0091"):
        digits = digits[4:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if not re.fullmatch(r"[6-9]\d{9}", digits):
        return None
    return digits


__all__ = [
    "EndedSession",
    "Principal",
    "SignInRefused",
    "VerifiedIdentity",
    "normalise_email",
    "normalise_mobile",
]
