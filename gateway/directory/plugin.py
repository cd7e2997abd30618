"""The core, registered like any plugin (first): directory and competencies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.directory import graphql as directory_graphql
from gateway.directory.loaders import (
    competencies_by_id,
    learners_by_id,
    organisations_by_id,
)
from gateway.directory.models import CoreBase, OrganisationRequestRow
from gateway.hookspecs import hookimpl
from schema.contribution import MigrationLineage, NodeResolver, SchemaContribution
from schema.directory import (
    Competency,
    CompetencyRequirement,
    Organisation,
    OrganisationRequest,
    ProficiencyLevel,
)
from schema.learner import Learner

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from gateway.host import Gateway


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_core",
        metadata=CoreBase.metadata,
    )


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution:
    return SchemaContribution(
        types=[
            Organisation,
            OrganisationRequest,
            Competency,
            CompetencyRequirement,
            ProficiencyLevel,
            Learner,
        ],
        query=directory_graphql.QUERY_FIELDS,
        mutation=directory_graphql.MUTATION_FIELDS,
    )


async def _organisation(ctx: RequestContext, node_id: str) -> Any:
    row = await ctx.load(organisations_by_id, node_id)
    return Organisation.from_row(row) if row else None


async def _competency(ctx: RequestContext, node_id: str) -> Any:
    row = await ctx.load(competencies_by_id, node_id)
    return Competency.from_row(row) if row else None


async def _learner(ctx: RequestContext, node_id: str) -> Any:
    row = await ctx.load(learners_by_id, node_id)
    return Learner.from_row(await ctx.authz.require_view_learner(row, node_id))


async def _organisation_request(ctx: RequestContext, node_id: str) -> Any:
    ctx.require_principal()
    async with ctx.db() as session:
        row = await session.get(OrganisationRequestRow, node_id)
    if row is None:
        return None
    is_requester = ctx.principal is not None and row.requested_by == ctx.principal.learner_id
    if not is_requester:
        await ctx.authz.require_org_admin(row.parent_id, "see this request")
    return OrganisationRequest.from_row(row)


@hookimpl
def register_node_resolvers(gateway: Gateway) -> dict[str, NodeResolver]:
    return {
        "org": _organisation,
        "comp": _competency,
        "learner": _learner,
        "orgreq": _organisation_request,
    }
