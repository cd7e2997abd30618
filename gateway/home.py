"""``/``: a small page pointing at what a newcomer wants first (GraphiQL,
development sign-in, health, the docs), and ``/docs/NAME.md``, the checkout's
docs served as plain text when the gateway runs from a checkout."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from starlette.requests import Request

    from gateway.settings import GatewaySettings

DOCS = Path(__file__).resolve().parent.parent / "docs"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Karmayogi learner graph</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;
padding:0 1rem;line-height:1.5}}
li{{margin:.3rem 0}}code{{background:#f4f4f4;padding:0 .2rem}}</style></head>
<body><h1>Karmayogi learner graph</h1>
<p>One GraphQL endpoint for a civil servant's learning on Mission Karmayogi: <code>POST /graphql</code>.</p>
<ul>
{items}
</ul>
{note}
</body></html>"""


def _docs() -> list[str]:
    return sorted(p.name for p in DOCS.glob("*.md")) if DOCS.is_dir() else []


def home_routes(settings: GatewaySettings, paths: set[str]) -> list[BaseRoute]:
    """The routes of ``/`` and ``/docs``; ``paths`` are the paths other
    routes serve (development sign-in is linked only where it is mounted)."""
    items = []
    if settings.graphiql_enabled:
        items.append('<li><a href="/graphql">GraphiQL</a>: explore the schema and run queries</li>')
    if "/auth/dev" in paths:
        items.append(
            '<li><a href="/auth/dev">Development sign-in</a>: pick a demo learner (development only)</li>'
        )
    items.append('<li><a href="/healthz">Health</a> and <a href="/readyz">readiness</a></li>')
    docs = _docs()
    if docs:
        links = ", ".join(f'<a href="/docs/{escape(name)}">{escape(name[:-3])}</a>' for name in docs)
        items.append(f"<li>Docs: {links}</li>")
    else:
        items.append("<li>Docs: the <code>docs/</code> folder and README of the gateway's source</li>")
    note = "" if not settings.is_production else "<p>Production: GraphiQL and sign-in pages are off.</p>"
    page = PAGE.format(items="\n".join(items), note=note)

    async def home(_: Request) -> Response:
        return HTMLResponse(page)

    async def doc(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in docs:
            return PlainTextResponse(f"No document {name!r}; see /.", status_code=404)
        text = (DOCS / name).read_text(encoding="utf-8")
        return PlainTextResponse(text, headers={"Content-Type": "text/markdown; charset=utf-8"})

    return [Route("/", home, methods=["GET"]), Route("/docs/{name}", doc, methods=["GET"])]
