"""The ``karmayogi`` command line. Plugins add commands through ``register_commands``."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.commands import ConfigOption, fail, run_with_gateway, settings_from
from gateway.plugins import DEFAULT_PLUGINS, build_plugin_host
from gateway.settings import load_settings
from schema.errors import StartupError


def build_cli() -> typer.Typer:
    cli = typer.Typer(
        name="karmayogi",
        help="Karmayogi learner-graph gateway.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    db_cli = typer.Typer(help="Database migrations.", no_args_is_help=True)
    demo_cli = typer.Typer(help="Demo data and stand-in services.", no_args_is_help=True)

    @cli.callback()
    def options(config: ConfigOption = None) -> None:
        """Karmayogi learner-graph gateway. Settings: --config FILE, else
        KARMAYOGI_CONFIG, else ./karmayogi.toml when present; KARMAYOGI_*
        variables win over the file."""
        if config is not None:
            os.environ["KARMAYOGI_CONFIG"] = str(config)

    cli.add_typer(db_cli, name="db")
    cli.add_typer(demo_cli, name="demo")
    from gateway.security.commands import add_operations_commands

    add_operations_commands(cli)

    @cli.command()
    def serve(
        config: ConfigOption = None,
        host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
        workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
        reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
        fd: Annotated[int | None, typer.Option(help="Serve on this already bound socket.")] = None,
        graceful_timeout: Annotated[
            int, typer.Option(help="Seconds to drain requests in flight on SIGTERM.")
        ] = 30,
        forwarded_allow_ips: Annotated[
            str | None,
            typer.Option(help="Proxies trusted for X-Forwarded-For (comma-separated, or *)."),
        ] = None,
    ) -> None:
        """Serve the gateway with uvicorn (N workers share state through the
        database and Redis; SIGTERM drains requests in flight)."""
        from gateway.serve import run_server

        settings = settings_from(config)
        if reload and settings.is_production:
            raise fail("--reload is for development; production refuses it.")
        if reload and workers > 1:
            raise fail("--reload runs one worker; drop --workers.")
        try:
            run_server(
                settings,
                host=host,
                port=port,
                fd=fd,
                workers=workers,
                reload=reload,
                graceful_timeout=graceful_timeout,
                forwarded_allow_ips=forwarded_allow_ips,
            )
        except StartupError as exc:
            raise fail(str(exc)) from exc

    @cli.command()
    def schema(
        config: ConfigOption = None,
        federation: Annotated[
            bool, typer.Option("--federation", help="The Apollo Federation 2 subgraph SDL (@link, @key).")
        ] = False,
    ) -> None:
        """Print the composed schema as plain SDL for codegen (--federation: the subgraph SDL)."""
        from gateway.host import build_gateway
        from gateway.sdl import plain_sdl

        settings = settings_from(config)
        try:
            gateway = build_gateway(settings)
        except StartupError as exc:
            raise fail(str(exc)) from exc
        typer.echo(gateway.schema.as_str() if federation else plain_sdl(gateway.schema._schema))
        asyncio.run(gateway.db.dispose())

    @cli.command()
    def plugins(config: ConfigOption = None) -> None:
        """List plugins: name, version, where it comes from, hooks it implements."""
        settings = settings_from(config)
        try:
            host = build_plugin_host(
                allow=settings.plugins_allow,
                block=settings.plugins_block,
                skip_broken_entry_points=settings.skip_broken_plugins,
            )
        except StartupError as exc:
            raise fail(str(exc)) from exc
        rows = [(i.name, i.version, i.source, ", ".join(i.hooks) or "-") for i in host.infos.values()]
        rows += [(i.name, i.version, i.source, f"FAILED: {i.error}") for i in host.failed.values()]
        rows += [
            (name, "-", "built-in", "BLOCKED (plugins_allow / plugins_block)")
            for name, _ in DEFAULT_PLUGINS
            if name not in host.infos
        ]
        widths = [max(len(r[c]) for r in [("NAME", "VERSION", "SOURCE", "HOOKS"), *rows]) for c in range(3)]
        for row in [("NAME", "VERSION", "SOURCE", "HOOKS"), *rows]:
            typer.echo("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)))
        typer.echo(
            "\nEvery plugin above can be blocked. Always on, as the kernel (not plugins): the directory "
            "store, catalogue routing, security (rate limits, persisted operations, /metrics) and state "
            "scope; see docs/architecture.md."
        )

    @cli.command("new-plugin")
    def new_plugin(
        name: Annotated[str, typer.Argument(help="Plugin name, e.g. hr_training.")],
        directory: Annotated[
            Path, typer.Option("--directory", "-d", help="Where to create the package.")
        ] = Path("."),
    ) -> None:
        """Create a pip-installable plugin package with a passing test."""
        from gateway.scaffold import ScaffoldError
        from gateway.scaffold import new_plugin as scaffold

        try:
            target = scaffold(name, directory)
        except ScaffoldError as exc:
            raise fail(str(exc)) from exc
        typer.echo(f"Created {target}")
        typer.echo(f"Next: pip install -e '{target}[test]' && python -m pytest {target}")

    @db_cli.command("upgrade")
    def db_upgrade(config: ConfigOption = None) -> None:
        """Apply every plugin's pending migrations."""

        async def body(gateway: Any) -> None:
            done = await gateway.upgrade()
            typer.echo(f"Upgraded: {', '.join(done)}" if done else "Already up to date.")

        run_with_gateway(config, body)

    @db_cli.command("status")
    def db_status(config: ConfigOption = None) -> None:
        """Show each lineage's current and head revisions."""

        async def body(gateway: Any) -> None:
            for state in await gateway.migration_status():
                mark = "PENDING" if state.pending else "ok"
                typer.echo(
                    f"{state.plugin:20} {mark:8} current={','.join(state.current) or '-'} "
                    f"head={','.join(state.heads)}"
                )

        run_with_gateway(config, body)

    @demo_cli.command("load")
    def demo_load(config: ConfigOption = None) -> None:
        """Load the demo directory and every plugin's demo data into an empty database."""
        from gateway.directory import demo_data
        from gateway.directory.demo import load_demo

        async def body(gateway: Any) -> None:
            await gateway.upgrade() if not gateway.settings.is_production else None
            try:
                await load_demo(gateway)
            except RuntimeError as exc:
                raise fail(str(exc)) from exc
            typer.echo(f"Loaded demo data. {demo_data.DEMO_NOTE}")

        run_with_gateway(config, body)

    host = _plugin_host_for_commands()
    if host is not None:
        host.pm.hook.register_commands(cli=cli)
    return cli


def _plugin_host_for_commands() -> Any:
    """The plugin host used to collect plugin commands (settings from the
    environment or a ``--config`` argument); ``None`` if settings are broken,
    so the built-in commands still run and report the problem."""
    argv = sys.argv[1:]
    for index, arg in enumerate(argv):
        if arg in ("--config", "-c") and index + 1 < len(argv):
            os.environ["KARMAYOGI_CONFIG"] = argv[index + 1]
        elif arg.startswith("--config="):
            os.environ["KARMAYOGI_CONFIG"] = arg.split("=", 1)[1]
    try:
        settings = load_settings()
        return build_plugin_host(
            allow=settings.plugins_allow,
            block=settings.plugins_block,
            skip_broken_entry_points=True,
        )
    except StartupError:
        return None


def main() -> None:
    build_cli()()
