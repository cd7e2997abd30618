"""``karmayogi catalogue sync PROVIDER [SOURCE]``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from gateway.cli import ConfigOption, fail, run_with_gateway


def add_commands(cli: typer.Typer) -> None:
    catalogue_cli = typer.Typer(help="Content providers' catalogues.", no_args_is_help=True)
    cli.add_typer(catalogue_cli, name="catalogue")

    @catalogue_cli.command("sync")
    def sync(
        provider: Annotated[str, typer.Argument(help="Provider id, e.g. istm or ignou.")],
        source: Annotated[
            str | None,
            typer.Argument(help="Feed file or URL (istm); omit to use the provider's settings."),
        ] = None,
        config: ConfigOption = None,
    ) -> None:
        """Sync a provider's catalogue; a refused feed changes nothing."""

        async def body(gateway: Any) -> None:
            target = gateway.providers.get(provider)
            if target is None:
                known = ", ".join(sorted(gateway.providers)) or "none"
                raise fail(f"No content provider {provider!r} (enabled: {known}).")
            syncer = getattr(target, "sync", None)
            if syncer is None:
                raise fail(f"Provider {provider!r} has no catalogue to sync.")
            try:
                report = await syncer(source) if source is not None else await syncer()
            except (ValueError, RuntimeError) as exc:
                raise fail(str(exc)) from None
            typer.echo(f"{provider}: {report}")

        run_with_gateway(config, body, start=True)
