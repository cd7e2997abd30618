"""The directory's root fields: organisations, competencies, me, learner, node,
and the profile and organisation-request mutations."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from gateway.context import context_of
from gateway.directory import service
from gateway.directory.loaders import learners_by_id
from gateway.directory.models import OrganisationRequestRow
from plugins.directory.requests import organisation_requests
from schema.common import Node
from schema.directory import (
    Competency,
    CompetencyArea,
    Organisation,
    OrganisationRequest,
)
from schema.errors import BadUserInput, NotFound
from schema.learner import EmployeeGroup, Learner


@strawberry.input
class WorkExperienceInput:
    organisation_id: strawberry.ID | None = None
    designation: str
    from_: dt.date = strawberry.field(name="from")
    to: dt.date | None = None


@strawberry.input
class ProfileInput:
    organisation_id: strawberry.ID
    designation: str
    group: EmployeeGroup | None = None
    service: str | None = None
    cadre: str | None = None
    work_experience: list[WorkExperienceInput] | None = None


@strawberry.input
class OrganisationRequestInput:
    name: str
    parent_id: strawberry.ID | None = None
    note: str | None = None


async def organisations(
    info: Info, search: str | None = None, parent_id: strawberry.ID | None = None
) -> list[Organisation]:
    async with context_of(info).db() as session:
        rows = await service.search_organisations(session, search, parent_id)
    return [Organisation.from_row(row) for row in rows]


async def competencies(
    info: Info, area: CompetencyArea | None = None, search: str | None = None
) -> list[Competency]:
    async with context_of(info).db() as session:
        rows = await service.search_competencies(session, area.value if area else None, search)
    return [Competency.from_row(row) for row in rows]


async def me(info: Info) -> Learner | None:
    ctx = context_of(info)
    if ctx.principal is None:
        return None
    row = await ctx.load(learners_by_id, ctx.principal.learner_id)
    return Learner.from_row(row) if row else None


async def learner(info: Info, id: strawberry.ID) -> Learner | None:
    ctx = context_of(info)
    row = await ctx.load(learners_by_id, str(id))
    return Learner.from_row(await ctx.authz.require_view_learner(row, str(id)))


async def node(info: Info, id: strawberry.ID) -> Node | None:
    found: Node | None = await context_of(info).gateway.resolve_node(context_of(info), str(id))
    return found


async def complete_profile(info: Info, input: ProfileInput) -> Learner:
    ctx = context_of(info)
    principal = ctx.require_principal()
    data = service.ProfileData(
        organisation_id=str(input.organisation_id),
        designation=input.designation,
        group=input.group.value if input.group else None,
        service=input.service,
        cadre=input.cadre,
        work_experience=None
        if input.work_experience is None
        else [
            service.WorkExperienceData(
                organisation_id=str(w.organisation_id) if w.organisation_id else None,
                designation=w.designation,
                from_date=w.from_,
                to_date=w.to,
            )
            for w in input.work_experience
        ],
    )
    async with ctx.write() as session:
        row = await service.complete_profile(session, principal.learner_id, data)
    return Learner.from_row(row)


async def request_organisation(info: Info, input: OrganisationRequestInput) -> OrganisationRequest:
    ctx = context_of(info)
    principal = ctx.require_principal()
    async with ctx.write() as session:
        row = await service.request_organisation(
            session,
            principal.learner_id,
            input.name,
            str(input.parent_id) if input.parent_id else None,
            input.note,
        )
    return OrganisationRequest.from_row(row)


async def decide_organisation_request(
    info: Info, id: strawberry.ID, approve: bool, reason: str | None = None
) -> OrganisationRequest:
    ctx = context_of(info)
    principal = ctx.require_principal()
    async with ctx.db() as session:
        pending = await session.get(OrganisationRequestRow, str(id))
    if pending is None:
        raise NotFound(f"No organisation request {id}.")
    await ctx.authz.require_org_admin(pending.parent_id, "decide this request")
    if not approve and not (reason or "").strip():
        raise BadUserInput("Give a reason when rejecting a request.", field="reason")
    async with ctx.write() as session:
        row = await session.get(OrganisationRequestRow, str(id), with_for_update=True)
        assert row is not None
        row = await service.decide_organisation_request(session, row, principal.learner_id, approve, reason)
    return OrganisationRequest.from_row(row)


QUERY_FIELDS = [
    strawberry.field(resolver=node),
    strawberry.field(resolver=me),
    strawberry.field(resolver=learner, description="Admins only, within their organisation's subtree."),
    strawberry.field(resolver=competencies),
    strawberry.field(resolver=organisations),
    strawberry.field(resolver=organisation_requests),
]

MUTATION_FIELDS = [
    strawberry.mutation(resolver=complete_profile),
    strawberry.mutation(resolver=request_organisation),
    strawberry.mutation(resolver=decide_organisation_request),
]
