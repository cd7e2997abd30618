"""The passbook's settings section, ``[plugins.passbook]``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class PassbookSettings(BaseModel):
    """Certificate signing, link lifetimes and karma rules.

    ``signing_key``: an Ed25519 private key, PEM (PKCS#8) or its 32-byte seed
    in base64url (``python -c "from plugins.passbook.signing import new_seed;
    print(new_seed())"``). Unset in
    development, a stable development key is used (see
    :func:`plugins.passbook.signing.development_key`); production refuses to
    start without a key of its own.
    """

    model_config = ConfigDict(extra="forbid")

    signing_key: SecretStr | None = None
    report_link_ttl_seconds: int = Field(900, ge=30, le=86_400)
    max_rewarded_non_plan_completions_per_month: int = Field(4, ge=0)
    issuer_name: str = "Karmayogi Bharat (iGOT Karmayogi)"
    # How long recommendations may rank from a kept index of every provider's
    # courses before asking the providers again (0: ask on every request). A
    # catalogue sync drops it at once in every worker that shares the Redis.
    catalogue_cache_seconds: int = Field(60, ge=0, le=3600)
    # Demo learning records for the demo learners (plugins/passbook/demo.py),
    # loaded with the demo data into an empty development database.
    demo_learning_records: bool = True

    @field_validator("signing_key")
    @classmethod
    def _loads(cls, value: SecretStr | None) -> SecretStr | None:
        from plugins.passbook.signing import load_private_key

        if value is not None:
            load_private_key(value.get_secret_value())  # raises ValueError, named by key
        return value

    def production_problems(self) -> list[str]:
        from plugins.passbook.signing import is_development_key

        if self.signing_key is None:
            return ["signing_key: set an Ed25519 private key (PEM) to sign certificates"]
        if is_development_key(self.signing_key.get_secret_value()):
            return ["signing_key: the development certificate key is public; generate your own"]
        return []
