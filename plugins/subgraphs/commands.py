"""``karmayogi plan``, ``karmayogi subgraphs check``, ``karmayogi demo subgraph``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gateway.commands import ConfigOption, fail, settings_from

if TYPE_CHECKING:
    from plugins.subgraphs.remote import Remote


def _group(cli: typer.Typer, name: str) -> typer.Typer:
    found = next((g.typer_instance for g in cli.registered_groups if g.name == name), None)
    if found is not None:
        return found
    group = typer.Typer(help=f"{name} commands", no_args_is_help=True)
    cli.add_typer(group, name=name)
    return group


def plan_text(gateway: Any, document_text: str, operation: str | None, as_json: bool) -> str:
    from graphql import GraphQLError, parse, validate

    from plugins.subgraphs.keys import RUNTIME
    from plugins.subgraphs.plan import Plan, plan

    try:
        document = parse(document_text)
    except GraphQLError as exc:
        raise fail(f"The operation does not parse: {exc.message}") from None
    errors = validate(gateway.schema._schema, document)
    if errors:
        raise fail("The operation is not valid: " + "; ".join(e.message for e in errors))
    runtime = gateway.state.get(RUNTIME)
    result = plan(gateway.schema._schema, runtime.own, document, operation) if runtime else Plan()
    return json.dumps(result.as_dict(), indent=2) if as_json else result.text()


def describe_changes(old: Remote, new: Remote) -> list[str]:
    """What changed between two SDLs of one subgraph, type by type and field by field."""
    lines = []
    old_types, new_types = set(old.definitions), set(new.definitions)
    lines += [f"removed type {t}" for t in sorted(old_types - new_types)]
    lines += [f"added type {t}" for t in sorted(new_types - old_types)]
    for t in sorted(old_types & new_types):
        before = {n: str(f.type) for n, f in getattr(old.schema.type_map[t], "fields", {}).items()}
        after = {n: str(f.type) for n, f in getattr(new.schema.type_map[t], "fields", {}).items()}
        lines += [f"removed field {t}.{f}" for f in sorted(set(before) - set(after))]
        lines += [f"added field {t}.{f}" for f in sorted(set(after) - set(before))]
        lines += [
            f"changed field {t}.{f}: {before[f]} -> {after[f]}"
            for f in sorted(set(before) & set(after))
            if before[f] != after[f]
        ]
    return lines


def add_commands(cli: typer.Typer) -> None:
    @cli.command("plan")
    def plan_command(
        file: Annotated[Path, typer.Argument(help="A .graphql file with the operation.")],
        operation: Annotated[
            str | None, typer.Option(help="The operation's name, if the file has several.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        config: ConfigOption = None,
    ) -> None:
        """Which service resolves which fields, in which waves, with how many requests."""
        from gateway.host import build_gateway
        from schema.errors import StartupError

        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(f"Cannot read {file}: {exc.strerror}") from None
        try:
            gateway = build_gateway(settings_from(config))
        except StartupError as exc:
            raise fail(str(exc)) from None
        typer.echo(plan_text(gateway, text, operation, as_json))

    subgraphs = _group(cli, "subgraphs")

    @subgraphs.command("check")
    def check_command(config: ConfigOption = None) -> None:
        """Compare each subgraph's live SDL with the pinned one; say whether it still composes."""
        from gateway.host import build_gateway
        from plugins.subgraphs.compose import extend
        from plugins.subgraphs.remote import analyse, ask_sdl, fetch_sdl
        from plugins.subgraphs.settings import SubgraphsSettings
        from schema.errors import StartupError

        settings = settings_from(config)
        section = dict(settings.plugins.get("subgraphs", {}))
        configured = SubgraphsSettings.model_validate(section).subgraphs
        if not configured:
            raise fail("No subgraphs are configured ([[plugins.subgraphs.subgraphs]]).")
        local_settings = settings.model_copy(
            update={"plugins": {**settings.plugins, "subgraphs": {**section, "subgraphs": []}}}
        )
        local = build_gateway(local_settings)
        breaking = False
        live = []
        for sub in configured:
            try:
                pinned = analyse(sub, fetch_sdl(sub))
                current = analyse(sub, ask_sdl(sub))
            except StartupError as exc:
                typer.echo(f"{sub.name}: {exc}")
                breaking = True
                continue
            live.append(current)
            changes = describe_changes(pinned, current)
            typer.echo(f"{sub.name}: " + ("unchanged" if not changes else f"{len(changes)} change(s)"))
            for line in changes:
                typer.echo(f"  {line}")
        try:
            extend(local.schema, local.schema._schema, live)
            typer.echo("The live SDLs compose with the gateway.")
        except StartupError as exc:
            typer.echo(f"The live SDLs break the composed graph: {exc}")
            breaking = True
        if breaking:
            raise typer.Exit(code=1)

    demo = _group(cli, "demo")

    @demo.command("subgraph")
    def demo_subgraph(port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8766) -> None:
        """Run the state HRMS stand-in (a Federation 2 subgraph) on loopback until Ctrl-C."""
        from plugins.subgraphs.standin.server import HrmsStandIn

        typer.echo(
            f"HRMS subgraph on http://127.0.0.1:{port}/graphql. Join it (docs/federation.md): add to "
            f'your settings file\n\n[[plugins.subgraphs.subgraphs]]\nname = "hrms"\n'
            f'url = "http://127.0.0.1:{port}/graphql"\n\nand start the gateway with it: '
            "karmayogi serve --config FILE"
        )
        HrmsStandIn(port=port).serve_forever()
