"""HTTP routes: the public verification page, certificate PDFs, the public key,
and the expiring CSV report links."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from gateway.context import RequestContext
from gateway.directory.models import OrganisationRow
from plugins.passbook import certificate_pdf, links, reports
from plugins.passbook import verify_page as pages
from plugins.passbook.api.certificates import find_valid_certificate, served_at
from plugins.passbook.certificate_details import details_of
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
        demo = not gateway.settings.is_production
        if row is None:
            return HTMLResponse(pages.invalid_page(), status_code=404)
        details = await details_of(gateway, row, runtime_of(gateway).settings.issuer_name)
        return HTMLResponse(pages.valid_page(row, details, demo))

    async def certificate_pdf_route(request: Request) -> Response:
        certificate_id = request.path_params["certificate_id"]
        code = request.query_params.get("code", "")
        row = await find_valid_certificate(gateway, certificate_id, code)
        if row is None:
            return PlainTextResponse("No certificate matches this id and access code.", status_code=404)
        runtime = runtime_of(gateway)
        served = served_at(request)
        pdf = certificate_pdf.render(
            row,
            details=await details_of(gateway, row, runtime.settings.issuer_name),
            verify_url=runtime.verify_url(row.id, row.access_code, served),
            public_key_url=f"{gateway.settings.link_base(served)}/passbook/certificate-key.pem",
            demo=not gateway.settings.is_production,
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="certificate-{row.id}.pdf"'},
        )

    async def font(request: Request) -> Response:
        headers = {"Cache-Control": "public, max-age=604800"}
        return FileResponse(certificate_pdf.font_file(), media_type="font/ttf", headers=headers)

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
        Route(pages.FONT_PATH, font, methods=["GET"]),
        Route("/passbook/reports/{organisation_id}.csv", report_csv, methods=["GET"]),
    ]
