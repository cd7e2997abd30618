"""GraphiQL, served from the gateway's own files so it works with no internet.

GraphiQL and React are installed from npm by ``make serve`` (``npm ci
--prefix tools/graphiql``, pinned by ``tools/graphiql/package-lock.json``) and
served at ``/graphiql/<file>``; no page asks a CDN for anything (government
networks often block them). When the files are missing the page says so in
words and names the command that installs them.

The page's own text (the welcome query) reaches the script as JSON inside a
``<script type="application/json">`` element, escaped so that no character of
the text can end the element or the string it sits in.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from starlette.requests import Request

    from gateway.settings import GatewaySettings

INSTALL_COMMAND = "npm ci --prefix tools/graphiql"

# The files the page loads: served name -> path under node_modules.
ASSETS = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
}

WELCOME_QUERY = """# Karmayogi learner graph (demo data in development).
# Sign in for learner-only fields: open /auth/dev and pick a demo learner
# (you come back here signed in), or run `karmayogi token EMAIL` and add
#   {"Authorization": "Bearer <token>"}
# in the Headers tab below.
{
  organisations(search: "Personnel") { name children { name } }
  competencies(area: BEHAVIOURAL) { theme subTheme }
}
"""


def assets_dir(settings: GatewaySettings) -> Path | None:
    """Where GraphiQL's files are: ``graphiql_assets`` when set, else
    ``tools/graphiql/node_modules`` of the working directory or of the checkout
    the gateway is installed from. ``None`` when no complete copy is found."""
    if settings.graphiql_assets is not None:
        candidates = [Path(settings.graphiql_assets)]
    else:
        checkout = Path(__file__).resolve().parent.parent
        candidates = [Path.cwd() / "tools/graphiql/node_modules", checkout / "tools/graphiql/node_modules"]
    for folder in candidates:
        if all((folder / path).is_file() for path in ASSETS.values()):
            return folder
    return None


def script_json(value: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: ``<``, ``>``,
    ``&`` and the two line separators JavaScript once treated as line ends are
    written as ``\\u`` escapes, so the text can neither close the element nor
    break the script that reads it."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Karmayogi learner graph</title>
<style>html,body{{height:100%;margin:0}}#graphiql{{height:100vh}}</style>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
</head><body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="karmayogi-graphiql-config">{config}</script>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script>
(function () {{
  var config = JSON.parse(document.getElementById("karmayogi-graphiql-config").textContent);
  var fetcher = GraphiQL.createFetcher({{ url: config.endpoint }});
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {{
    fetcher: fetcher,
    defaultQuery: config.defaultQuery,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }}));
}})();
</script>
</body></html>"""

MISSING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL is not installed · Karmayogi learner graph</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;
padding:0 1rem;line-height:1.5}}
code{{background:#f4f4f4;padding:0 .2rem}}</style></head>
<body><h1>GraphiQL's files are not installed</h1>
<p>This gateway serves GraphiQL from its own files, so the IDE works on networks that
block public CDNs. They are missing here: run <code>{command}</code> in the checkout
(<code>make serve</code> does it), or set <code>graphiql_assets</code> to a folder holding
them, and reload this page.</p>
<p>The API itself works: POST queries to <code>/graphql</code>, for example with
<code>curl -H 'Content-Type: application/json' -d '{{"query":"{{ __typename }}"}}' {endpoint}</code>.</p>
</body></html>"""


class GraphiQL:
    """The IDE page and its files, for one app."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.folder = assets_dir(settings)
        if self.folder is None:
            self.page = MISSING_PAGE.format(command=escape(INSTALL_COMMAND), endpoint="/graphql")
        else:
            config = {"endpoint": "/graphql", "defaultQuery": WELCOME_QUERY}
            self.page = PAGE.format(config=script_json(config))

    def html(self) -> HTMLResponse:
        return HTMLResponse(self.page, status_code=200 if self.folder is not None else 503)

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        relative = ASSETS.get(name)
        if relative is None or self.folder is None:
            return PlainTextResponse(f"No GraphiQL file {name!r} here; see {INSTALL_COMMAND}.", 404)
        return FileResponse(self.folder / relative, headers={"Cache-Control": "public, max-age=86400"})

    def routes(self) -> list[Route]:
        return [Route("/graphiql/{name}", self.asset, methods=["GET"])]
