"""Hook implementations of the Parichay identity plugin."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import typer
from sqlalchemy import func, select

from gateway.commands import ConfigOption, fail, run_with_gateway
from gateway.credentials import bearer_token, unverified_issuer
from gateway.directory.models import LearnerRow
from gateway.hookspecs import hookimpl
from plugins.identity_parichay import oauth, onboarding
from plugins.identity_parichay import routes as parichay_routes
from plugins.identity_parichay.claims import identity_from_claims
from plugins.identity_parichay.models import ParichayBase
from plugins.identity_parichay.oidc import MAX_TOKEN_BYTES, ProviderError, TokenRejected
from plugins.identity_parichay.runtime import RUNTIME, runtime
from plugins.identity_parichay.settings import ParichaySettings
from schema.cache import DIRECTORY, CacheDependencies
from schema.contribution import MigrationLineage, SchemaContribution
from schema.errors import GatewayError, Unauthenticated
from schema.identity import EndedSession, Principal, SignInRefused
from schema.reads import LearnerRecord
from schema.services import SIGN_IN

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.routing import BaseRoute

    from gateway.host import Gateway

log = logging.getLogger("plugins.identity_parichay")


@hookimpl
def register_settings_model() -> type[ParichaySettings]:
    return ParichaySettings


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_identity_parichay",
        metadata=ParichayBase.metadata,
    )


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution:
    return SchemaContribution(
        types=[onboarding.OnboardedMobile],
        mutation=[strawberry.mutation(resolver=onboarding.onboard_mobile)],
    )


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    return list(parichay_routes.routes(gateway))


@hookimpl
async def shutdown(gateway: Gateway) -> None:
    found = gateway.state.pop(RUNTIME)
    if found is not None:
        await found.close()


@hookimpl
async def principal_from_request(request: HTTPConnection, gateway: Gateway) -> Principal | None:
    """API clients' bearer access tokens from the OIDC issuer."""
    rt = runtime(gateway)
    settings = rt.settings.oidc
    if rt.oidc is None or not settings.accept_bearer_tokens:
        return None
    token = bearer_token(request)
    if token is None or len(token.encode()) > MAX_TOKEN_BYTES:
        return None
    if unverified_issuer(token) != settings.issuer:
        return None
    try:
        claims = await rt.oidc.verify(token, audience=settings.api_audience or settings.client_id)
    except TokenRejected as exc:
        raise Unauthenticated(f"Bearer token refused: {exc}.") from exc
    except ProviderError as exc:
        log.warning("cannot verify bearer tokens", extra={"error": str(exc)})
        raise Unauthenticated("The identity provider's keys cannot be fetched; try again.") from exc
    try:
        identity = identity_from_claims(claims)  # the callback's rules, the same function
    except SignInRefused as exc:
        raise Unauthenticated(exc.message) from exc
    email = identity.email
    if email is None or not email.strip():
        raise Unauthenticated("Bearer token carries no email claim.")
    learner: LearnerRecord | None
    async with gateway.db.sessionmaker() as session:
        learner = await session.scalar(
            select(LearnerRow).where(func.lower(LearnerRow.email) == email.strip().lower())
        )
    try:
        if learner is None:
            learner = await gateway.service(SIGN_IN).sign_in(identity)
        elif learner.status == "DISABLED":
            raise SignInRefused("This account is disabled.")
    except SignInRefused as exc:
        raise Unauthenticated(exc.message) from exc
    return Principal(learner_id=learner.id, source="oidc")


@hookimpl
async def session_ended(gateway: Gateway, session: EndedSession) -> None:
    """Revoke the provider's access token where a revoke endpoint is configured."""
    if session.upstream_token is None:
        return
    rt = runtime(gateway)
    url: Any = None
    if session.source == "parichay":
        provider: Any = rt.settings.parichay
        url = provider.revoke_url
    elif session.source == "jan_parichay":
        provider = rt.settings.jan_parichay
        url = provider.revoke_url
    elif session.source == "oidc" and rt.oidc is not None:
        provider = rt.settings.oidc
        url = (await rt.oidc.metadata()).get("revocation_endpoint")
    if not isinstance(url, str) or not url:
        return
    await oauth.revoke_token(
        rt.http,
        url=url,
        token=session.upstream_token,
        client_id=provider.client_id,
        client_secret=provider.client_secret.get_secret_value(),
        timeout_seconds=provider.timeout_seconds,
    )


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    learners_cli = typer.Typer(help="Learner onboarding.", no_args_is_help=True)
    cli.add_typer(learners_cli, name="learners")

    @learners_cli.command("onboard")
    def onboard(
        file: Annotated[Path, typer.Argument(help="CSV: mobile,organisation_id[,name]")],
        config: ConfigOption = None,
    ) -> None:
        """Onboard mobile numbers for Jan Parichay sign-in, all or none."""
        try:
            lines, parse_problems = onboarding.parse_csv(file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"Cannot read {file}: {exc}") from exc
        except GatewayError as exc:
            raise fail(exc.message) from exc

        async def body(gateway: Gateway) -> str:
            # Every bad line is named (those the file shows and those the
            # database shows), as the ISTM feed sync does; then nothing is stored.
            problems = list(parse_problems)
            async with gateway.db.write_sessionmaker() as session, session.begin():
                for line in lines:
                    try:
                        await onboarding.onboard(session, line, "cli")
                    except GatewayError as exc:
                        problems.append((line.line, f"line {line.line}: {exc.message}"))
                if problems:
                    await session.rollback()
                    listed = "\n".join(p for _, p in sorted(problems))
                    raise fail(f"Nothing was onboarded; {len(problems)} bad line(s):\n{listed}")
            return f"Onboarded {len(lines)} mobile number(s) for Jan Parichay."

        typer.echo(run_with_gateway(config, body))


@hookimpl
def register_cache_dependencies(gateway: Gateway) -> CacheDependencies:
    return CacheDependencies(
        tables={"parichay_sign_in_states": [], "parichay_onboarded_mobiles": [DIRECTORY]}
    )
