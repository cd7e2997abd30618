"""Development sign-in: a page listing the demo learners, one click each.

Mounted only when ``plugins.identity.dev_sign_in`` is on (the default in
development); production refuses to start with it on.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from gateway.directory.models import LearnerRow, OrganisationRow, RoleGrantRow
from plugins.identity.http import error_json, signed_in_response

if TYPE_CHECKING:
    from gateway.host import Gateway

SOURCE = "dev-sign-in"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Development sign-in · Karmayogi gateway</title>
<style>body{{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}
td,th{{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left}}
button{{cursor:pointer}}code{{background:#f4f4f4;padding:0 .2rem}}</style></head>
<body><h1>Development sign-in</h1>
<p><strong>Demo data, development only.</strong> Pick a demo learner to sign in as; you are
sent to GraphiQL with a session cookie. Production refuses to start with this page on.</p>
<p>For API clients: <code>karmayogi token EMAIL</code> prints a session token; send it as
<code>Authorization: Bearer &lt;token&gt;</code>.</p>
<table><thead><tr><th>Learner</th><th>Email</th><th>Designation</th><th>Organisation</th>
<th>Roles</th><th></th></tr></thead><tbody>
{rows}
</tbody></table></body></html>"""

ROW = (
    "<tr><td>{name}</td><td>{email}</td><td>{designation}</td><td>{organisation}</td>"
    '<td>{roles}</td><td><form method="post" action="/auth/dev">'
    '<input type="hidden" name="learner" value="{id}">'
    '<button type="submit">Sign in</button></form></td></tr>'
)


async def demo_learners(gateway: Gateway) -> list[tuple[LearnerRow, str, list[str]]]:
    async with gateway.db.sessionmaker() as session:
        learners = (
            await session.scalars(
                select(LearnerRow).where(LearnerRow.demo.is_(True)).order_by(LearnerRow.name)
            )
        ).all()
        orgs = dict((await session.execute(select(OrganisationRow.id, OrganisationRow.name))).all())
        grants = (await session.execute(select(RoleGrantRow.learner_id, RoleGrantRow.role))).all()
    roles: dict[str, list[str]] = {}
    for learner_id, role in grants:
        roles.setdefault(learner_id, []).append(role)
    return [(row, orgs.get(row.organisation_id or "", ""), sorted(roles.get(row.id, []))) for row in learners]


async def page(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    rows = "\n".join(
        ROW.format(
            id=escape(row.id),
            name=escape(row.name),
            email=escape(row.email or ""),
            designation=escape(row.designation or ""),
            organisation=escape(org),
            roles=escape(", ".join(roles) or "LEARNER"),
        )
        for row, org, roles in await demo_learners(gateway)
    )
    return HTMLResponse(PAGE.format(rows=rows or "<tr><td colspan=6>No demo learners.</td></tr>"))


async def sign_in(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    raw = await request.body()
    values = parse_qs(raw[:4096].decode("utf-8", "replace")).get("learner") or [""]
    learner_id = values[0]
    if not learner_id:
        return error_json(400, "BAD_USER_INPUT", "Choose a demo learner.")
    async with gateway.db.sessionmaker() as session:
        learner = await session.get(LearnerRow, learner_id)
    if learner is None or not learner.demo:
        return error_json(404, "NOT_FOUND", "Development sign-in is for demo learners only.")
    if learner.status == "DISABLED":
        return error_json(403, "FORBIDDEN", "This account is disabled.")
    want_json = "application/json" in request.headers.get("accept", "")
    return await signed_in_response(gateway, learner, SOURCE, want_json=want_json)


def routes() -> list[Route]:
    return [
        Route("/auth/dev", page, methods=["GET"]),
        Route("/auth/dev", sign_in, methods=["POST"]),
    ]
