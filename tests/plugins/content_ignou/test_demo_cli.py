"""`karmayogi demo ignou` serves the stand-in; the embedded default then shows
ISTM and IGNOU in one answer, filterable, with facets matching the totals."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from gateway.testing import MakeGateway


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_ignou() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "demo", "ignou", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "KARMAYOGI_LOG_JSON": "false"},
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.post(url, json={"query": "{ __typename }"}, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"karmayogi demo ignou did not start: {output}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


QUERY = """query($filter: CourseFilter) { courses(first: 100, filter: $filter) {
  totalCount edges { node { id } }
  facets { providers { value count } areas { value count } } } }"""


async def test_demo_ignou_and_the_default_show_both_providers(
    make_gateway: MakeGateway, demo_ignou: str
) -> None:
    client = await make_gateway(plugins={"content_ignou": {"url": demo_ignou}})
    whole = (await client.graphql(QUERY))["data"]["courses"]
    providers = {f["value"]: f["count"] for f in whole["facets"]["providers"]}
    assert providers["istm"] >= 12 and providers["ignou"] >= 10
    for facet in whole["facets"]["areas"]:
        body = await client.graphql(QUERY, {"filter": {"areas": [facet["value"]]}})
        assert body["data"]["courses"]["totalCount"] == facet["count"]
    domain_ignou = await client.graphql(QUERY, {"filter": {"areas": ["DOMAIN"], "providers": ["ignou"]}})
    page = domain_ignou["data"]["courses"]
    assert page["totalCount"] == sum(f["count"] for f in page["facets"]["providers"]) > 0
    assert {e["node"]["id"].split(":")[0] for e in page["edges"]} == {"ignou"}
    status = await client.graphql("{ providers { id healthy status } }")
    assert all(p["healthy"] for p in status["data"]["providers"])
    mixed = await client.graphql("{ collections { id courses { provider { id } } } }")
    assert any(
        {c["provider"]["id"] for c in coll["courses"]} >= {"istm", "ignou"}
        for coll in mixed["data"]["collections"]
    )
