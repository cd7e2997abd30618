"""``karmayogi token`` and ``karmayogi admin grant|revoke``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gateway.commands import ConfigOption, fail, run_with_gateway

if TYPE_CHECKING:
    from gateway.host import Gateway


OrgOption = Annotated[
    str | None, typer.Option("--organisation", "-o", help="Organisation id, e.g. org:dopt.")
]


def add_commands(cli: typer.Typer) -> None:
    admin_cli = typer.Typer(help="Admin roles.", no_args_is_help=True)
    cli.add_typer(admin_cli, name="admin")

    @cli.command()
    def token(
        email: Annotated[str, typer.Argument(help="A demo learner's email or learner id.")],
        config: ConfigOption = None,
    ) -> None:
        """Print a session token for a demo learner (development only)."""
        from plugins.identity.roles import find_learner
        from plugins.identity.runtime import identity_settings, session_service

        async def body(gateway: Gateway) -> str:
            settings = identity_settings(gateway)
            if not settings.dev_sign_in_enabled(gateway.settings.is_production):
                raise fail("Development sign-in is off (production, or dev_sign_in = false).")
            async with gateway.db.sessionmaker() as session:
                try:
                    learner = await find_learner(session, email)
                except Exception as exc:
                    raise fail(str(exc)) from exc
            if not learner.demo:
                raise fail(f"{email} is not a demo learner; real learners sign in through Parichay.")
            if learner.status == "DISABLED":
                raise fail(f"{email} is disabled.")
            issued = await session_service(gateway).start(learner.id, "dev-token")
            return issued.access_token

        typer.echo(run_with_gateway(config, body, start=True))

    def _change(email: str, role: str, organisation: str | None, config: Path | None, grant: bool) -> None:
        from plugins.identity import roles
        from schema.errors import GatewayError

        async def body(gateway: Any) -> str:
            async with gateway.db.write_sessionmaker() as session, session.begin():
                try:
                    learner = await roles.find_learner(session, email)
                    if grant:
                        changed = await roles.grant_role(session, learner, role.upper(), organisation, "cli")
                    else:
                        changed = await roles.revoke_role(session, learner, role.upper(), organisation)
                except GatewayError as exc:
                    raise fail(exc.message) from exc
            where = f" on {organisation}" if organisation else ""
            verb = "Granted" if grant else "Revoked"
            if not changed:
                return f"Nothing to do: {learner.email} {'has' if grant else 'lacks'} {role}{where}."
            return f"{verb} {role.upper()}{where} {'to' if grant else 'from'} {learner.email}."

        typer.echo(run_with_gateway(config, body))

    @admin_cli.command("grant")
    def grant(
        email: Annotated[str, typer.Argument(help="The learner's email or id.")],
        role: Annotated[str, typer.Argument(help="MDO_ADMIN, STATE_ADMIN, CBP_ADMIN, SPV_ADMIN.")],
        organisation: OrgOption = None,
        config: ConfigOption = None,
    ) -> None:
        """Grant an admin role (bootstraps the first SPV admin)."""
        _change(email, role, organisation, config, grant=True)

    @admin_cli.command("revoke")
    def revoke(
        email: Annotated[str, typer.Argument(help="The learner's email or id.")],
        role: Annotated[str, typer.Argument(help="The role to take away.")],
        organisation: OrgOption = None,
        config: ConfigOption = None,
    ) -> None:
        """Take an admin role away."""
        _change(email, role, organisation, config, grant=False)
