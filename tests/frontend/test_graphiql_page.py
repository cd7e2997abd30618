"""The GraphiQL page without a browser: its script parses, its text cannot
break out of the script, it needs nothing from the internet, and it says in
words when GraphiQL's files are missing (issue 14)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from asyncio.subprocess import PIPE
from pathlib import Path

import pytest

from gateway.graphiql import ASSETS, script_json
from gateway.testing import GatewayClient, MakeGateway

SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is needed to parse the page's script (the README's test set-up installs it).")
    return found


async def test_graphiql_page_script_parses_and_carries_the_welcome_text(
    client: GatewayClient, tmp_path: Path
) -> None:
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    scripts = SCRIPT.findall(page.text)
    config = [json.loads(body) for attrs, body in scripts if "application/json" in attrs]
    assert "`karmayogi token EMAIL`" in config[0]["defaultQuery"] and "/auth/dev" in config[0]["defaultQuery"]
    inline = [body for attrs, body in scripts if "src=" not in attrs and "application/json" not in attrs]
    assert len(inline) == 1
    source = tmp_path / "page.js"
    source.write_text(inline[0])
    checked = await asyncio.create_subprocess_exec(node(), "--check", str(source), stderr=PIPE)
    _, stderr = await checked.communicate()
    assert checked.returncode == 0, stderr.decode()
    # Everything the page loads comes from the gateway itself.
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/graphiql/") for s in sources), sources
    for src in sources:
        asset = await client.http.get(src)
        assert asset.status_code == 200 and len(asset.content) > 1000, src


def test_page_text_cannot_end_its_script_element() -> None:
    hostile = "</script><script>alert(1)</script> ` ${x} \u2028 & <!--"
    encoded = script_json({"defaultQuery": hostile})
    assert "</" not in encoded and "<!--" not in encoded and "\u2028" not in encoded
    assert json.loads(encoded) == {"defaultQuery": hostile}


async def test_missing_graphiql_files_are_explained_in_words(
    make_gateway: MakeGateway, tmp_path: Path
) -> None:
    client = await make_gateway(graphiql_assets=str(tmp_path / "nowhere"))
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "GraphiQL's files are not installed" in page.text
    assert "npm ci --prefix tools/graphiql" in page.text
    assert "<script" not in page.text
    assert (await client.http.get("/graphiql/graphiql.min.js")).status_code == 404


async def test_only_graphiqls_own_files_are_served(client: GatewayClient) -> None:
    assert set(ASSETS) >= {"graphiql.min.js", "graphiql.min.css"}
    for name in ("package.json", "..%2F..%2Fpyproject.toml", "graphiql%2Fgraphiql.min.js"):
        assert (await client.http.get(f"/graphiql/{name}")).status_code == 404


async def test_front_page_links_what_a_newcomer_needs(client: GatewayClient) -> None:
    page = await client.http.get("/")
    assert page.status_code == 200
    for link in ('href="/graphql"', 'href="/auth/dev"', 'href="/healthz"', 'href="/docs/architecture.md"'):
        assert link in page.text
    doc = await client.http.get("/docs/architecture.md")
    assert doc.status_code == 200 and "Architecture" in doc.text
    assert (await client.http.get("/docs/..%2Fpyproject.toml")).status_code == 404
