"""``[plugins.subgraphs]`` settings: the remote subgraphs and how to call them."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SubgraphSettings(BaseModel):
    """One remote subgraph (``[[plugins.subgraphs.subgraphs]]``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Lower-case name; the audience of the token the gateway signs for it.")
    url: str = Field(description="Its GraphQL endpoint (POST, application/json).")
    sdl_file: str | None = Field(
        None,
        description="A pinned SDL file (relative to the working directory); unset: ask "
        "`_service { sdl }` at start-up.",
    )
    connect_timeout_seconds: float = Field(1.0, gt=0, le=30)
    read_timeout_seconds: float = Field(3.0, gt=0, le=60)
    failure_threshold: int = Field(3, ge=1, le=100, description="Failures in a row that open the circuit.")
    circuit_reset_seconds: float = Field(30.0, gt=0, le=3_600)
    max_response_bytes: int = Field(2_000_000, ge=1_000, le=100_000_000)
    forward_headers: list[str] = Field(
        default_factory=list,
        description="Client request headers passed on (never Authorization or Cookie).",
    )
    states: list[str] = Field(
        default_factory=list,
        description="Root organisation ids whose officials see its fields; empty: everyone.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("a subgraph name is lower-case letters, digits and _ (starting with a letter)")
        return value

    @field_validator("forward_headers")
    @classmethod
    def _headers(cls, value: list[str]) -> list[str]:
        lowered = [h.lower() for h in value]
        refused = {"authorization", "cookie", "host", "content-length"} & set(lowered)
        if refused:
            raise ValueError(f"these headers are never forwarded: {', '.join(sorted(refused))}")
        return lowered


class SubgraphsSettings(BaseModel):
    """Remote subgraphs, the token the gateway signs for them, and the fan-out limit."""

    model_config = ConfigDict(extra="forbid")

    subgraphs: list[SubgraphSettings] = Field(default_factory=list)
    signing_key: SecretStr | None = Field(
        None,
        description="Ed25519 key (PEM or base64url seed) for the tokens sent to subgraphs; "
        "unset: a development key (refused in production when a subgraph is configured).",
    )
    issuer: str = Field("karmayogi-gateway", description="The `iss` of the tokens.")
    token_seconds: int = Field(60, ge=10, le=600)
    max_requests_per_operation: int = Field(
        10, ge=1, le=1_000, description="Planned subgraph requests one operation may cost."
    )
    plan_in_extensions: bool = Field(
        True, description="In development, add the query plan to the response's extensions."
    )

    @field_validator("subgraphs")
    @classmethod
    def _unique(cls, value: list[SubgraphSettings]) -> list[SubgraphSettings]:
        names = [s.name for s in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"subgraph names must be unique: {', '.join(twice)}")
        return value

    def production_problems(self) -> list[str]:
        problems = []
        if self.subgraphs and self.signing_key is None:
            problems.append("signing_key: set the Ed25519 key that signs the tokens sent to subgraphs")
        problems.extend(
            f"subgraphs.{s.name}.url: use https" for s in self.subgraphs if s.url.startswith("http://")
        )
        return problems
