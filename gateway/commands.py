"""Helpers for commands of the ``karmayogi`` CLI, the kernel's and plugins'
(``register_commands``): the ``--config`` option, failing with a message, and
running a body against a gateway built from settings."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from gateway.settings import GatewaySettings, load_settings
from schema.errors import StartupError

T = TypeVar("T")

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Settings TOML file (else KARMAYOGI_CONFIG)."),
]


def fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def settings_from(config: Path | None) -> GatewaySettings:
    if config is not None:
        os.environ["KARMAYOGI_CONFIG"] = str(config)
    try:
        return load_settings()
    except StartupError as exc:
        raise fail(str(exc)) from exc


def run_with_gateway(config: Path | None, body: Callable[[Any], Awaitable[T]], *, start: bool = False) -> T:
    """Build a gateway from settings and run ``body(gateway)``, then dispose it.

    With ``start`` the gateway is fully started (migrations checked or applied,
    plugins started) before ``body`` runs.
    """
    from gateway.host import build_gateway

    settings = settings_from(config)

    async def main() -> T:
        gateway = build_gateway(settings)
        try:
            if start:
                await gateway.start()
            else:
                await gateway.db.check_reachable()
            return await body(gateway)
        finally:
            if start:
                await gateway.stop()
            else:
                await gateway.db.dispose()

    try:
        return asyncio.run(main())
    except StartupError as exc:
        raise fail(str(exc)) from exc
