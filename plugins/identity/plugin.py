"""The identity plugin: gateway sessions, development sign-in, roles.

Identity sources (Parichay, Jan Parichay, a state SSO) are other plugins: they
find out who signed in and ask the ``SIGN_IN`` service this plugin provides
(``schema.services.SignIn``) to find or create the learner and start a session.

Order of ``principal_from_request`` answers: gateway session tokens first
(``tryfirst``), then other identity plugins (later registered first), and
last a refusal of any ``Authorization`` header nobody recognised.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.credentials import bearer_token
from gateway.hookspecs import hookimpl
from plugins.identity import devsignin, http
from plugins.identity import graphql as identity_graphql
from plugins.identity.conflicts import MobileConflict
from plugins.identity.models import IdentityBase
from plugins.identity.runtime import NAME, SESSIONS, identity_settings, session_service
from plugins.identity.service import SignInService
from plugins.identity.settings import IdentitySettings
from schema.cache import CacheDependencies
from schema.contribution import MigrationLineage, SchemaContribution
from schema.errors import Unauthenticated
from schema.identity import Principal
from schema.services import SIGN_IN

if TYPE_CHECKING:
    import typer
    from starlette.requests import HTTPConnection
    from starlette.routing import BaseRoute

    from gateway.host import Gateway
    from schema.context import ServiceKey

log = logging.getLogger("gateway.identity")


@hookimpl
def register_settings_model() -> type[IdentitySettings]:
    return IdentitySettings


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_identity",
        metadata=IdentityBase.metadata,
    )


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution:
    return SchemaContribution(
        types=[identity_graphql.LearnerStatus, MobileConflict],
        query=identity_graphql.QUERY_FIELDS,
        mutation=identity_graphql.MUTATION_FIELDS,
        type_fields={"Learner": identity_graphql.LEARNER_FIELDS},
    )


@hookimpl
def register_services(gateway: Gateway) -> dict[ServiceKey[Any], object]:
    return {SIGN_IN: SignInService(gateway)}


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    routes: list[BaseRoute] = list(http.routes())
    if identity_settings(gateway).dev_sign_in_enabled(gateway.settings.is_production):
        routes.extend(devsignin.routes())
    return routes


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from plugins.identity.cli import add_commands

    add_commands(cli)


@hookimpl
async def startup(gateway: Gateway) -> None:
    await session_service(gateway).connect()


@hookimpl
async def shutdown(gateway: Gateway) -> None:
    service = gateway.state.pop(SESSIONS)
    if service is not None:
        await service.close()


@hookimpl(tryfirst=True)
async def principal_from_request(request: HTTPConnection, gateway: Gateway) -> Principal | None:
    """A gateway session token, from ``Authorization: Bearer`` or the cookie."""
    service = session_service(gateway)
    token = bearer_token(request)
    if token is not None:
        if not service.owns(token):
            return None  # another identity source's token
    else:
        token = request.cookies.get(identity_settings(gateway).cookie_name)
        if not token:
            return None
    try:
        claims = await service.verify(token)
    except Unauthenticated as exc:
        log.info("session token refused", extra={"reason": exc.message})
        raise
    return Principal(learner_id=claims.learner_id, source=claims.source or NAME, session_id=claims.session_id)


@hookimpl(specname="principal_from_request", trylast=True)
async def refuse_unrecognised(request: HTTPConnection, gateway: Gateway) -> Principal | None:
    """Credentials that no identity source accepted are refused, not ignored."""
    if request.headers.get("authorization"):
        log.warning("credentials refused", extra={"reason": "no identity source accepts them"})
        raise Unauthenticated(
            "The Authorization header holds no token this gateway accepts; send 'Bearer <session token>'."
        )
    return None


@hookimpl
def register_cache_dependencies(gateway: Gateway) -> CacheDependencies:
    return CacheDependencies(tables={"gateway_sessions": []})
