"""``[plugins.content_ignou]`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEV_WEBHOOK_SECRET = "dev-only-ignou-webhook-secret"


class IgnouSettings(BaseModel):
    """Where IGNOU's provider API is and how patiently to ask it."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, description="IGNOU's provider API; unset: serve the last synced snapshot.")
    connect_timeout_seconds: float = Field(2.0, gt=0, le=60)
    read_timeout_seconds: float = Field(5.0, gt=0, le=120)
    cache_ttl_seconds: float = Field(60.0, ge=0, le=86_400)
    failure_threshold: int = Field(3, ge=1, le=100, description="Failures that open the circuit.")
    circuit_reset_seconds: float = Field(30.0, gt=0, le=3_600)
    webhook_secret: SecretStr | None = Field(
        None, description="Shared with IGNOU to sign completions; unset: the webhook answers 503."
    )
    replay_window_seconds: int = Field(300, ge=10, le=3_600)

    def production_problems(self) -> list[str]:
        problems = []
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else None
        if secret is not None and (secret == DEV_WEBHOOK_SECRET or len(secret) < 32):
            problems.append("webhook_secret: set the secret shared with IGNOU (32+ characters)")
        if self.url is not None and self.url.startswith("http://"):
            problems.append("url: use https for IGNOU's provider API")
        return problems
