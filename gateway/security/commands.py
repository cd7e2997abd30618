"""``karmayogi operations register FILE...``: load a frontend's operations as
trusted documents (see :mod:`gateway.security.persisted`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gateway.commands import ConfigOption, fail, run_with_gateway
from gateway.security.persisted import read_operations, register

if TYPE_CHECKING:
    from gateway.host import Gateway


def add_operations_commands(cli: typer.Typer) -> None:
    operations_cli = typer.Typer(help="Persisted operations (trusted documents).", no_args_is_help=True)
    cli.add_typer(operations_cli, name="operations")

    @operations_cli.command("register")
    def register_command(
        files: Annotated[list[Path], typer.Argument(help=".graphql/.gql documents or JSON manifests.")],
        config: ConfigOption = None,
    ) -> None:
        """Register a frontend's operations as trusted documents."""
        operations = []
        for path in files:
            try:
                operations.extend(read_operations(path))
            except (OSError, ValueError) as exc:
                raise fail(str(exc)) from exc

        async def body(gateway: Gateway) -> tuple[int, int]:
            if gateway.settings.migrate_at_startup:
                await gateway.upgrade()
            try:
                return await register(gateway.db, operations)
            except ValueError as exc:
                raise fail(str(exc)) from exc

        added, existing = run_with_gateway(config, body)
        typer.echo(f"Registered {added} operation(s); {existing} already registered.")
