"""The passbook plugin's hooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.hookspecs import hookimpl
from plugins.passbook.models import PassbookBase
from plugins.passbook.settings import PassbookSettings
from schema.cache import CacheDependencies
from schema.contribution import MigrationLineage, NodeResolver, SchemaContribution

if TYPE_CHECKING:
    import typer
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.routing import BaseRoute

    from gateway.context import RequestContext
    from gateway.host import Gateway
    from plugins.passbook.runtime import PassbookRuntime


@hookimpl
def register_settings_model() -> type[PassbookSettings]:
    return PassbookSettings


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_passbook",
        metadata=PassbookBase.metadata,
    )


@hookimpl
def register_passbook_backend(gateway: Gateway) -> PassbookRuntime:
    from plugins.passbook.runtime import PassbookRuntime

    return PassbookRuntime(gateway)


@hookimpl
async def load_demo_data(gateway: Gateway, session: AsyncSession) -> None:
    from sqlalchemy import select

    from gateway.directory.models import LearnerRow, OrganisationRow
    from plugins.passbook.demo import load_learning_records
    from plugins.passbook.runtime import runtime_of

    runtime = runtime_of(gateway)
    if not runtime.settings.demo_learning_records:
        return
    paths = dict((await session.execute(select(OrganisationRow.id, OrganisationRow.path))).all())
    rows = (
        await session.execute(
            select(LearnerRow.id, LearnerRow.name, LearnerRow.organisation_id)
            .where(LearnerRow.demo.is_(True))
            .order_by(LearnerRow.id)
        )
    ).all()
    learners = [
        (id_, name, org, [p for p in reversed(paths.get(org or "", "").split("/")) if p])
        for id_, name, org in rows
    ]
    await load_learning_records(session, runtime, learners)


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution:
    from plugins.passbook.api import certificates, enrolments, plans, records
    from plugins.passbook.api.learner import LEARNER_FIELDS
    from plugins.passbook.api.live import SUBSCRIPTION_FIELDS
    from plugins.passbook.api.mutations import MUTATION_FIELDS
    from plugins.passbook.api.queries import QUERY_FIELDS

    return SchemaContribution(
        types=[
            enrolments.EnrolmentStatus,
            enrolments.Enrolment,
            enrolments.EnrolmentEdge,
            enrolments.EnrolmentConnection,
            enrolments.ResourceProgress,
            enrolments.QuizAttempt,
            certificates.Certificate,
            certificates.CertificateVerification,
            records.AcquiredChannel,
            records.Evidence,
            records.PassbookEntry,
            records.Passbook,
            plans.PlanItemStatus,
            plans.PlanItem,
            plans.PlanAssignment,
            plans.Recommendation,
            plans.OrganisationReport,
        ],
        query=QUERY_FIELDS,
        mutation=MUTATION_FIELDS,
        subscription=SUBSCRIPTION_FIELDS,
        type_fields={"Learner": LEARNER_FIELDS},
    )


async def _enrolment(ctx: RequestContext, node_id: str) -> Any:
    from plugins.passbook.api.enrolments import Enrolment
    from plugins.passbook.loaders import enrolments_by_id

    ctx.require_principal()
    row = await ctx.load(enrolments_by_id, node_id)
    if row is None:
        return None
    if ctx.principal is not None and row.learner_id != ctx.principal.learner_id:
        from gateway.directory.loaders import learners_by_id

        learner = await ctx.load(learners_by_id, row.learner_id)
        await ctx.authz.require_view_learner(learner, row.learner_id)
    return Enrolment.from_row(row)


@hookimpl
def register_node_resolvers(gateway: Gateway) -> dict[str, NodeResolver]:
    return {"enrolment": _enrolment}


@hookimpl
def startup(gateway: Gateway) -> None:
    from plugins.passbook.events import install

    install(gateway)  # committed enrolment and certificate changes become subscription events


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    from plugins.passbook.routes import routes

    return routes(gateway)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    from plugins.passbook.cli import add_commands

    add_commands(cli)


@hookimpl
def register_cache_dependencies(gateway: Gateway) -> CacheDependencies:
    from plugins.passbook.cache import dependencies

    return dependencies(gateway.plugin_settings(PassbookSettings).catalogue_cache_seconds)
