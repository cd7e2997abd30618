"""HTTP routes: the public verification page, certificate PDFs, the public key,
and the expiring CSV report links."""

from __future__ import annotations

import html
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from gateway.context import RequestContext
from gateway.directory.models import OrganisationRow
from plugins.passbook import certificate_pdf, links, reports
from plugins.passbook.api.certificates import find_valid_certificate
from plugins.passbook.runtime import runtime_of
from schema.identity import Principal
from schema.scalars import IST

if TYPE_CHECKING:
    from gateway.host import Gateway


def routes(gateway: Gateway) -> list[BaseRoute]:
    async def verify_page(request: Request) -> Response:
        certificate_id = request.path_params["certificate_id"]
        code = request.query_params.get("code", "")
        row = await find_valid_certificate(gateway, certificate_id, code)
        wants_json = "application/json" in request.headers.get("accept", "")
        if wants_json:
            if row is None:
                return JSONResponse({"valid": False})
            return JSONResponse(
                {
                    "valid": True,
                    "learnerName": row.learner_name,
                    "courseTitle": row.course_title,
                    "issuedAt": row.issued_at.astimezone(IST).isoformat(),
                }
            )
        if row is None:
            body = "<h1>Not a valid certificate</h1><p>No certificate matches this id and access code.</p>"
        else:
            issued = row.issued_at.astimezone(IST)
            body = (
                "<h1>Valid certificate</h1>"
                f"<p><strong>{html.escape(row.learner_name)}</strong> completed "
                f"<strong>{html.escape(row.course_title)}</strong> on {issued:%d %B %Y}.</p>"
                f"<p>Certificate {html.escape(row.id)}, signed with key {html.escape(row.key_id)}.</p>"
            )
        page = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Certificate check</title></head><body>{body}</body></html>"
        )
        return HTMLResponse(page, status_code=200 if row else 404)

    async def certificate_pdf_route(request: Request) -> Response:
        certificate_id = request.path_params["certificate_id"]
        code = request.query_params.get("code", "")
        row = await find_valid_certificate(gateway, certificate_id, code)
        if row is None:
            return PlainTextResponse("No certificate matches this id and access code.", status_code=404)
        runtime = runtime_of(gateway)
        pdf = certificate_pdf.render(
            row,
            verify_url=runtime.verify_url(row.id, row.access_code),
            issuer=runtime.settings.issuer_name,
            public_key_url=f"{runtime.public_url}/passbook/certificate-key.pem",
            demo=not gateway.settings.is_production,
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="certificate-{row.id}.pdf"'},
        )

    async def public_key(request: Request) -> Response:
        return PlainTextResponse(runtime_of(gateway).signer.public_pem, media_type="application/x-pem-file")

    async def report_csv(request: Request) -> Response:
        org_id = request.path_params["organisation_id"]
        params = request.query_params
        admin_id = params.get("by", "")
        problem = links.check_report_link(
            gateway.settings.secret_key.get_secret_value(),
            org_id,
            admin_id,
            params.get("expires", ""),
            params.get("sig", ""),
        )
        if problem:
            return PlainTextResponse(problem, status_code=403)
        ctx = RequestContext(
            gateway=gateway,
            request=request,
            principal=Principal(learner_id=admin_id, source="report-link"),
            request_id=uuid.uuid4().hex,
        )
        if not await ctx.authz.can_admin_org(org_id):
            return PlainTextResponse("You no longer administer this organisation.", status_code=403)
        async with gateway.db.sessionmaker() as session:
            org = await session.get(OrganisationRow, org_id)
            if org is None:
                return PlainTextResponse("No such organisation.", status_code=404)
            figures = await reports.subtree_figures(session, org, None)

        async def body() -> AsyncIterator[str]:
            for line in reports.csv_lines(figures):
                yield line

        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="report-{org_id.replace(":", "-")}.csv"'},
        )

    return [
        Route("/passbook/verify/{certificate_id}", verify_page, methods=["GET"]),
        Route("/passbook/certificates/{certificate_id}.pdf", certificate_pdf_route, methods=["GET"]),
        Route("/passbook/certificate-key.pem", public_key, methods=["GET"]),
        Route("/passbook/reports/{organisation_id}.csv", report_csv, methods=["GET"]),
    ]
