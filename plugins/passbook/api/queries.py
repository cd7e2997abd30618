"""Root queries: ``verifyCertificate`` (public) and ``organisationReport`` (admins)."""

from __future__ import annotations

import strawberry
from strawberry import Info

from gateway.context import context_of
from gateway.directory.loaders import organisations_by_id
from plugins.passbook.api.certificates import verify_certificate
from plugins.passbook.api.plans import OrganisationReport
from schema.errors import NotFound


async def organisation_report(info: Info, organisation_id: strawberry.ID) -> OrganisationReport:
    ctx = context_of(info)
    principal = ctx.require_principal()
    await ctx.authz.require_org_admin(str(organisation_id), "see its report")
    row = await ctx.load(organisations_by_id, str(organisation_id))
    if row is None:
        raise NotFound(f"No organisation {organisation_id}.")
    return OrganisationReport(row=row, admin_id=principal.learner_id, cache={})


QUERY_FIELDS = [
    strawberry.field(resolver=verify_certificate),
    strawberry.field(resolver=organisation_report),
]
