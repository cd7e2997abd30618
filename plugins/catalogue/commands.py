"""``karmayogi catalogue sync PROVIDER [SOURCE]`` and ``karmayogi provider check NAME_OR_URL``."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from gateway.commands import ConfigOption, fail, run_with_gateway


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
            from gateway.security.services import catalogue_changed

            await catalogue_changed(gateway)  # cached anonymous answers are stale now
            typer.echo(f"{provider}: {report}")

        run_with_gateway(config, body, start=True)

    provider_cli = typer.Typer(help="Content provider tools.", no_args_is_help=True)
    cli.add_typer(provider_cli, name="provider")

    @provider_cli.command("check")
    def check(
        target: Annotated[str, typer.Argument(help="An installed provider's id, or a provider API URL.")],
        config: ConfigOption = None,
    ) -> None:
        """Run the provider conformance checks; print a pass/fail table (exit 1 on a failure)."""
        from gateway.conformance.runner import print_results, run_checks

        if target.startswith(("http://", "https://")):
            from gateway.provider_api.remote import RemoteApiProvider

            async def remote() -> bool:
                provider = RemoteApiProvider(target)
                try:
                    return print_results(target, await run_checks(provider), typer.echo)
                finally:
                    await provider.close()

            ok = asyncio.run(remote())
        else:

            async def body(gateway: Any) -> bool:
                provider = gateway.providers.get(target)
                if provider is None:
                    known = ", ".join(sorted(gateway.providers)) or "none"
                    raise fail(f"No content provider {target!r} (enabled: {known}); or give a URL.")
                return print_results(target, await run_checks(provider), typer.echo)

            ok = run_with_gateway(config, body, start=True)
        if not ok:
            raise typer.Exit(code=1)
