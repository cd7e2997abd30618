"""Settings of the identity plugin: ``[plugins.identity]``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

DEFAULT_PRE_APPROVED = ["gov.in", "nic.in"]
PRODUCTION_ACCESS_MINUTES = 15
DEVELOPMENT_ACCESS_MINUTES = 8 * 60  # a working day


class SessionKey(BaseModel):
    """One signing key for gateway session tokens.

    ``private_key`` is a PEM (Ed25519, EC P-256 or RSA 2048+). The first key
    without ``retired_at`` signs; a key with ``retired_at`` only verifies tokens
    it signed before that time, until they expire.
    """

    model_config = ConfigDict(extra="forbid")

    kid: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    private_key: SecretStr
    retired_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _usable_key(self) -> SessionKey:
        from plugins.identity.keys import load_key
        from schema.errors import StartupError

        try:
            load_key(self)
        except StartupError as exc:
            raise ValueError(str(exc)) from None
        return self

    @field_validator("retired_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give retired_at with a time zone, e.g. 2026-11-28T10:00:00Z")
        return value


class RegistrationSettings(BaseModel):
    """Which email domains may register (a domain covers its subdomains)."""

    model_config = ConfigDict(extra="forbid")

    pre_approved_domains: list[str] = Field(default_factory=lambda: list(DEFAULT_PRE_APPROVED))
    approved_domains: list[str] = Field(default_factory=list)
    help_contact: str = (
        "ask your department's nodal officer for iGOT Karmayogi, or write to the Karmayogi support desk"
    )

    @field_validator("pre_approved_domains", "approved_domains")
    @classmethod
    def _normalise(cls, domains: list[str]) -> list[str]:
        cleaned = [d.strip().lower().lstrip("@").lstrip(".") for d in domains]
        for domain in cleaned:
            if not domain or "." not in domain or " " in domain:
                raise ValueError(f"{domain!r} is not a domain such as gov.in")
        return cleaned


class IdentitySettings(BaseModel):
    """Gateway sessions, development sign-in and the registration policy."""

    model_config = ConfigDict(extra="forbid")

    session_keys: list[SessionKey] = Field(default_factory=list)
    # Unset: 15 minutes in production, a working day (8 hours) in development,
    # so a GraphiQL session signed in through /auth/dev lasts the day.
    access_token_minutes: int | None = Field(None, ge=1, le=24 * 60)
    refresh_token_days: int = Field(7, ge=1, le=90)
    leeway_seconds: int = Field(30, ge=0, le=60)
    # With Redis: how long a session the database found live is taken as live
    # from Redis without asking the database again. It bounds how long a
    # sign-out made while Redis was unreachable can go unseen (docs/identity.md).
    live_cache_seconds: int = Field(5, ge=0, le=60)
    cookie_name: str = "karmayogi_session"
    cookie_secure: bool = True
    dev_sign_in: bool | None = None
    registration: RegistrationSettings = Field(default_factory=RegistrationSettings)

    @field_validator("session_keys", mode="before")
    @classmethod
    def _keys_from_json(cls, value: Any) -> Any:
        """``KARMAYOGI_PLUGINS__IDENTITY__SESSION_KEYS`` arrives as a JSON string.

        The PEM's line breaks may be escaped (``\\n``, as JSON writes them) or
        raw (a key pasted with ``"$(cat key.pem)"`` or a YAML double-quoted
        string); both are read. Messages never quote the value: it is a secret.
        """
        if not isinstance(value, str):
            return value
        expected = 'give session_keys as a JSON list: [{"kid": "...", "private_key": "<PEM>"}]'
        text = value.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and text[1:2] in "[{":
            raise ValueError(
                f"{expected}; the value is wrapped in {text[0]} quotes (env files and compose keep "
                "them): remove them"
            )
        try:
            parsed = json.loads(text, strict=False)  # strict=False: raw line breaks in strings
        except json.JSONDecodeError as exc:
            raise ValueError(f"{expected}; it is not JSON ({exc.msg} at character {exc.pos})") from None
        if isinstance(parsed, dict):
            raise ValueError(f"{expected}; got one object: put it in [ ]")
        return parsed

    @model_validator(mode="after")
    def _one_signing_key(self) -> IdentitySettings:
        if self.session_keys and all(k.retired_at is not None for k in self.session_keys):
            raise ValueError("session_keys: one key must have no retired_at (it signs)")
        kids = [k.kid for k in self.session_keys]
        if len(kids) != len(set(kids)):
            raise ValueError("session_keys: every kid must be different")
        return self

    def access_minutes(self, production: bool) -> int:
        """How long an access token lives (``access_token_minutes`` when set)."""
        if self.access_token_minutes is not None:
            return self.access_token_minutes
        return PRODUCTION_ACCESS_MINUTES if production else DEVELOPMENT_ACCESS_MINUTES

    def dev_sign_in_enabled(self, production: bool) -> bool:
        return self.dev_sign_in if self.dev_sign_in is not None else not production

    def production_problems(self) -> list[str]:
        """Called by the gateway in production only."""
        problems = []
        if not self.session_keys:
            problems.append("session_keys: configure a signing key (PEM); the development key is refused")
        if self.dev_sign_in:
            problems.append("dev_sign_in: development sign-in is refused in production")
        if not self.cookie_secure:
            problems.append("cookie_secure: session cookies must be Secure in production")
        return problems
