"""The directory plugin: the learner graph's organisations, learners and
competencies (queries, profile and organisation-request mutations, node ids).

The directory's tables, loaders and rules are the kernel's (``gateway.directory``):
authorisation is decided on them. This plugin is their GraphQL surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.api import hookimpl
from gateway.directory.models import OrganisationRequestRow
from plugins.directory import graphql as directory_graphql
from schema.cache import DIRECTORY, SAME_LEARNER
from schema.contribution import NodeResolver, SchemaContribution
from schema.directory import (
    Competency,
    CompetencyRequirement,
    Organisation,
    OrganisationRequest,
    ProficiencyLevel,
)
from schema.learner import Learner
from schema.reads import COMPETENCIES_BY_ID, LEARNERS_BY_ID, ORGANISATIONS_BY_ID

if TYPE_CHECKING:
    from schema.context import GatewayView, RequestView


@hookimpl
def register_schema(gateway: GatewayView) -> SchemaContribution:
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


async def _organisation(ctx: RequestView, node_id: str) -> Any:
    row = await ctx.load(ORGANISATIONS_BY_ID, node_id)
    return Organisation.from_row(row) if row else None


async def _competency(ctx: RequestView, node_id: str) -> Any:
    row = await ctx.load(COMPETENCIES_BY_ID, node_id)
    return Competency.from_row(row) if row else None


async def _learner(ctx: RequestView, node_id: str) -> Any:
    row = await ctx.load(LEARNERS_BY_ID, node_id)
    return Learner.from_row(await ctx.authz.require_view_learner(row, node_id))


async def _organisation_request(ctx: RequestView, node_id: str) -> Any:
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
def register_node_resolvers(gateway: GatewayView) -> dict[str, NodeResolver]:
    return {
        "org": _organisation,
        "comp": _competency,
        "learner": _learner,
        "orgreq": _organisation_request,
    }


@hookimpl
def register_cache_dependencies(gateway: GatewayView) -> dict[str, list[str]]:
    return {
        "Query.me": [DIRECTORY, SAME_LEARNER],
        "Query.learner": [DIRECTORY],  # someone else's records below it are not cached
        "Query.competencies": [DIRECTORY],
        "Query.organisations": [DIRECTORY],
    }
