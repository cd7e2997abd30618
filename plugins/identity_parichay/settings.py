"""Settings of the Parichay identity plugin: ``[plugins.identity_parichay]``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"}


class OAuthProviderSettings(BaseModel):
    """An OAuth 2.0 authorization server with a user-details endpoint
    (Parichay, Jan Parichay). Every endpoint is configuration."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    authorize_url: str = ""
    token_url: str = ""
    user_details_url: str = ""
    revoke_url: str | None = None
    scope: str = "user_details"
    # How the access token is sent to the user-details endpoint: "Bearer" gives
    # "Authorization: Bearer <token>"; "" sends the bare token.
    user_details_auth_scheme: str = "Bearer"
    email_field: str = "loginId"
    first_name_field: str = "FirstName"
    last_name_field: str = "LastName"
    mobile_field: str = "MobileNo"
    timeout_seconds: float = Field(10.0, gt=0, le=60)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> OAuthProviderSettings:
        if self.enabled:
            missing = [
                name
                for name in ("client_id", "authorize_url", "token_url", "user_details_url")
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f"set {', '.join(missing)} (or enabled = false)")
        return self

    def problems(self) -> list[str]:
        if not self.enabled:
            return []
        found = []
        if not self.client_secret.get_secret_value():
            found.append("client_secret: set the client secret issued by the provider")
        urls = [self.authorize_url, self.token_url, self.user_details_url, self.revoke_url or ""]
        if any(u.startswith("http://") for u in urls):
            found.append("endpoints must use https:// in production")
        return found


class OidcSettings(BaseModel):
    """An OpenID Connect issuer (discovery, JWKS, ID tokens, bearer tokens)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    issuer: str = ""
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    scope: str = "openid email profile"
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256", "EdDSA"])
    leeway_seconds: int = Field(30, ge=0, le=60)
    jwks_refetch_seconds: int = Field(60, ge=60)
    jwks_max_age_seconds: int = Field(3600, ge=60)
    accept_bearer_tokens: bool = True
    # The audience API clients' access tokens must carry (default: client_id).
    api_audience: str | None = None
    timeout_seconds: float = Field(10.0, gt=0, le=60)

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: list[str]) -> list[str]:
        if not algorithms:
            raise ValueError("list at least one algorithm")
        refused = [a for a in algorithms if a not in ASYMMETRIC]
        if refused:
            raise ValueError(
                f"{', '.join(refused)} not allowed: only public-key algorithms "
                f"({', '.join(sorted(ASYMMETRIC))}); never 'none' or HMAC"
            )
        return algorithms

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> OidcSettings:
        if self.enabled and not (self.issuer and self.client_id):
            raise ValueError("set issuer and client_id (or enabled = false)")
        return self

    def problems(self) -> list[str]:
        if not self.enabled:
            return []
        found = []
        if not self.client_secret.get_secret_value():
            found.append("client_secret: set the client secret issued by the provider")
        if self.issuer.startswith("http://"):
            found.append("issuer must use https:// in production")
        return found


class ParichaySettings(BaseModel):
    """Parichay (email), Jan Parichay (verified mobile) and OIDC sign-in."""

    model_config = ConfigDict(extra="forbid")

    parichay: OAuthProviderSettings = Field(default_factory=OAuthProviderSettings)
    jan_parichay: OAuthProviderSettings = Field(default_factory=OAuthProviderSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    sign_in_minutes: int = Field(10, ge=1, le=30)

    def production_problems(self) -> list[str]:
        return (
            [f"parichay.{p}" for p in self.parichay.problems()]
            + [f"jan_parichay.{p}" for p in self.jan_parichay.problems()]
            + [f"oidc.{p}" for p in self.oidc.problems()]
        )
