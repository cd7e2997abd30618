"""Typed settings: a TOML file plus ``KARMAYOGI_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from schema.errors import StartupError

DEV_SECRET = "dev-only-secret-change-me"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./karmayogi.db"


class LimitsSettings(BaseModel):
    """Bounds on what one request may ask for."""

    model_config = ConfigDict(extra="forbid")

    max_page_size: int = Field(100, ge=1, le=10_000)
    max_body_bytes: int = Field(1_000_000, ge=1_024)
    max_depth: int = Field(12, ge=2, le=64)
    # ``__schema``/``__type`` selections: their own depth bound instead of max_depth and max_cost
    max_introspection_depth: int = Field(20, ge=2, le=64)
    max_aliases: int = Field(30, ge=1)
    max_root_fields: int = Field(20, ge=1)
    # Definitions per document, counted before the walk and validation.
    max_operations: int = Field(3, ge=1, le=100)
    max_fragments: int = Field(20, ge=1, le=500)
    # One response name selected more often than this in one selection set
    # (graphql-core compares every pair of them for overlap: quadratic).
    max_repeated_fields: int = Field(10, ge=1, le=100)
    max_tokens: int = Field(5_000, ge=100)
    max_query_chars: int = Field(100_000, ge=1_000)
    max_cost: int = Field(50_000, ge=10)
    max_variables_bytes: int = Field(100_000, ge=1_024)
    max_variables_depth: int = Field(20, ge=2)
    request_timeout_seconds: float = Field(15.0, gt=0)
    batching: bool = False
    max_batch: int = Field(10, ge=1, le=100)
    default_list_size: int = Field(10, ge=1)
    # Expected sizes of list fields without a ``first`` argument: {"Type.field": n}.
    list_sizes: dict[str, int] = Field(default_factory=dict)
    document_cache_size: int = Field(1_000, ge=0)


class RateLimitSettings(BaseModel):
    """Token buckets per signed-in principal and per client address."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None  # default: on in production, off in development
    per_principal_per_minute: int = Field(600, ge=1)
    principal_burst: int = Field(120, ge=1)
    per_address_per_minute: int = Field(1_200, ge=1)
    address_burst: int = Field(300, ge=1)


class PersistedOperationsSettings(BaseModel):
    """Automatic persisted queries and trusted documents."""

    model_config = ConfigDict(extra="forbid")

    apq: bool = True
    trusted_only: bool = False
    apq_ttl_seconds: int = Field(7 * 24 * 3600, ge=60)
    # Cache-Control max-age for anonymous persisted queries over GET (0: no header).
    get_max_age_seconds: int = Field(0, ge=0)


class ResponseCacheSettings(BaseModel):
    """Opt-in cache of anonymous catalogue answers (see gateway/security/response_cache.py)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    ttl_seconds: int = Field(60, ge=1)
    root_fields: list[str] = Field(default_factory=lambda: ["courses", "course", "collections", "providers"])


class ExecutionSettings(BaseModel):
    """Compiled execution of query operations (docs/execution.md)."""

    model_config = ConfigDict(extra="forbid")

    compiled: bool = True
    # Compile a query on this sighting (persisted and trusted operations at once).
    compile_after: int = Field(2, ge=1)
    plan_cache_size: int = Field(500, ge=0)
    # Check every compiled query against graphql-core and report differences (tests):
    # "replay" the compiled run's resolver outcomes, or "rerun" every resolver.
    verify: Literal["off", "replay", "rerun"] = "off"


class AnswerCacheSettings(BaseModel):
    """The answer cache of query operations, per caller, never stale (docs/caching.md)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    max_entries: int = Field(10_000, ge=1)  # in process (no redis_url)
    max_bytes: int = Field(64 * 1024 * 1024, ge=1_024)  # in process; also the largest answer kept
    max_entry_bytes: int = Field(1024 * 1024, ge=1_024)  # the largest answer kept
    # Answers are never stale (every write bumps what it changes); the
    # lifetime only returns memory used by answers nobody asks again.
    ttl_seconds: int = Field(3_600, ge=1)
    # Answers that read the catalogue are kept at most this long, so a provider
    # whose catalogue changes without a sync (a remote API) is seen within it.
    catalogue_max_age_seconds: int = Field(300, ge=1)


class TracingSettings(BaseModel):
    """OpenTelemetry tracing (off unless enabled)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    otlp_endpoint: str | None = None  # e.g. http://collector:4318/v1/traces
    service_name: str = "karmayogi-gateway"
    sample_ratio: float = Field(1.0, ge=0, le=1)


class GatewaySettings(BaseSettings):
    """The core settings. Each plugin validates its own ``plugins.NAME`` section."""

    model_config = SettingsConfigDict(
        env_prefix="KARMAYOGI_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    environment: Literal["development", "production"] = "development"
    database_url: SecretStr = SecretStr(DEFAULT_DATABASE_URL)
    database_pool_size: int | None = Field(None, ge=1)
    database_max_overflow: int | None = Field(None, ge=0)
    database_echo: bool = False
    # Ping each pooled connection before use (three round trips with asyncpg).
    # Off: a connection the database dropped fails one request and the pool
    # reconnects; turn it on behind proxies that cut idle connections.
    database_pre_ping: bool = False
    # PostgreSQL only: a hot standby (or a pooler in front of several) for the
    # reads of query operations; see docs/deployment.md "Read replicas".
    database_read_url: SecretStr | None = None
    redis_url: SecretStr | None = None
    redis_prefix: str = "karmayogi:"  # every Redis key starts with it
    # One blocking pool per worker, shared by every Redis user: a request that
    # finds every connection busy waits up to the pool timeout for one.
    redis_max_connections: int = Field(100, ge=1)
    redis_pool_timeout_seconds: float = Field(10.0, gt=0)
    redis_socket_timeout_seconds: float = Field(2.0, gt=0)
    public_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    auto_migrate: bool | None = None
    load_demo_data: bool | None = None
    graphiql: bool | None = None
    # GraphiQL's files (node_modules of tools/graphiql); default: found next to the checkout
    graphiql_assets: str | None = None
    introspection: bool | None = None
    suggestions: bool | None = None
    cors_allow_origins: list[str] = Field(default_factory=list)
    metrics: bool = True
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    persisted_operations: PersistedOperationsSettings = Field(default_factory=PersistedOperationsSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    response_cache: ResponseCacheSettings = Field(default_factory=ResponseCacheSettings)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)

    answer_cache: AnswerCacheSettings = Field(default_factory=AnswerCacheSettings)
    plugins_allow: list[str] | None = None
    plugins_block: list[str] = Field(default_factory=list)
    skip_broken_plugins: bool = False
    # state root organisation id -> the state modules switched on there (gateway/states)
    state_modules: dict[str, list[str]] = Field(default_factory=dict)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    _file: Path | None = PrivateAttr(default=None)

    @property
    def file(self) -> Path | None:
        """The TOML file these settings were read from, if any."""
        return self._file

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def link_base(self, served_at: str | None = None) -> str:
        """The address links and QR codes point at: ``public_url`` when it is
        set (or in production), else in development the address the request
        came to (``served_at``, e.g. ``http://127.0.0.1:8123``), so links
        follow whatever port the server runs on."""
        if served_at and "public_url" not in self.model_fields_set and not self.is_production:
            return served_at.rstrip("/")
        return self.public_url.rstrip("/")

    @property
    def migrate_at_startup(self) -> bool:
        return self.auto_migrate if self.auto_migrate is not None else not self.is_production

    @property
    def demo_at_startup(self) -> bool:
        return self.load_demo_data if self.load_demo_data is not None else not self.is_production

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else not self.is_production

    @property
    def suggestions_enabled(self) -> bool:
        return self.suggestions if self.suggestions is not None else not self.is_production

    @property
    def rate_limits_enabled(self) -> bool:
        enabled = self.rate_limits.enabled
        return enabled if enabled is not None else self.is_production

    def production_problems(self) -> list[str]:
        """Development defaults that production refuses, one line each."""
        if not self.is_production:
            return []
        problems = []
        if self.secret_key.get_secret_value() == DEV_SECRET or len(self.secret_key.get_secret_value()) < 32:
            problems.append("secret_key: set a random secret of 32+ characters")
        if self.auto_migrate:
            problems.append("auto_migrate: run `karmayogi db upgrade` instead")
        if self.load_demo_data:
            problems.append("load_demo_data: demo data is for development")
        if "*" in self.cors_allow_origins:
            problems.append("cors_allow_origins: name the frontends' origins instead of '*'")
        if self.database_url.get_secret_value() == DEFAULT_DATABASE_URL:
            problems.append("database_url: set a PostgreSQL URL for production")
        return problems


def _format_validation_error(exc: ValidationError, prefix: str = "") -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        key = f"{prefix}{loc}" if loc else prefix.rstrip(".")
        lines.append(f"  {key}: {err['msg']}")
    return "\n".join(lines)


DEFAULT_CONFIG_FILE = "karmayogi.toml"


def settings_file(config_file: str | Path | None = None) -> Path | None:
    """The TOML file settings are read from: ``config_file`` (``--config``),
    else ``KARMAYOGI_CONFIG``, else ``./karmayogi.toml`` when it exists."""
    named = config_file or os.environ.get("KARMAYOGI_CONFIG")
    if named:
        if not Path(named).is_file():
            raise StartupError(f"Settings file {named} does not exist (from --config or KARMAYOGI_CONFIG).")
        return Path(named)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> GatewaySettings:
    """Build settings from (lowest to highest) defaults, the TOML file (see
    :func:`settings_file`), the environment and ``overrides``. Bad keys stop
    start-up with one line naming the key."""
    path = settings_file(config_file)

    class _FileSettings(GatewaySettings):
        model_config = SettingsConfigDict(toml_file=path)

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if path is not None:
                sources.append(TomlConfigSettingsSource(settings_cls))
            return tuple(sources)

    try:
        settings: GatewaySettings = _FileSettings(**overrides)
    except ValidationError as exc:
        where = (
            f"in {path} or its KARMAYOGI_* variable"
            if path
            else "in its KARMAYOGI_* variable or --config file"
        )
        problems = "; ".join(line.strip() for line in _format_validation_error(exc).splitlines())
        raise StartupError(f"Invalid settings: {problems} (fix the key {where}).") from exc
    settings._file = path
    return settings


def validate_plugin_section(plugin: str, model: type[BaseModel], raw: dict[str, Any] | None) -> BaseModel:
    """Validate one plugin's section, naming the plugin and key on failure."""
    try:
        return model.model_validate(raw or {})
    except ValidationError as exc:
        problems = "; ".join(
            line.strip() for line in _format_validation_error(exc, prefix=f"plugins.{plugin}.").splitlines()
        )
        raise StartupError(
            f"Invalid settings for plugin {plugin!r}: {problems} (fix it under [plugins.{plugin}])."
        ) from exc
