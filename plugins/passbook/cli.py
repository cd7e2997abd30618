"""``karmayogi passbook export``: the APAR export of an organisation's subtree."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.commands import ConfigOption, fail, run_with_gateway
from gateway.directory.models import OrganisationRow
from plugins.passbook import reports


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def add_commands(cli: typer.Typer) -> None:
    group = typer.Typer(help="Competency Passbook records.", no_args_is_help=True)

    @group.command("export")
    def export(
        year: Annotated[
            int, typer.Option("--year", help="Calendar year (Asia/Kolkata).", min=2000, max=2100)
        ],
        organisation: Annotated[str, typer.Option("--organisation", help="Organisation id, e.g. org:dopt.")],
        format: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.csv,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="File to write (else stdout).")
        ] = None,
        config: ConfigOption = None,
    ) -> None:
        """APAR export: per learner of the organisation's subtree, learning hours,
        plan items done and assigned (due in YEAR), and certificates (YEAR)."""

        async def body(gateway: Any) -> tuple[OrganisationRow | None, list[reports.LearnerFigures]]:
            async with gateway.db.sessionmaker() as session:
                org = await session.get(OrganisationRow, organisation)
                if org is None:
                    return None, []
                return org, await reports.subtree_figures(session, org, year)

        org, figures = run_with_gateway(config, body)
        if org is None:
            raise fail(f"No organisation {organisation!r}; `karmayogi` lists none by that id.")
        if format is ExportFormat.json:
            text = json.dumps(reports.as_json(figures, org, year), indent=2, ensure_ascii=False) + "\n"
        else:
            text = "".join(reports.csv_lines(figures))
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")

    cli.add_typer(group, name="passbook")
