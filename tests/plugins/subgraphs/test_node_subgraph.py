"""Compatibility beyond ourselves: a subgraph written with Apollo's
@apollo/subgraph in Node (tools/subgraph-node, installed by ``npm ci``)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.testing import MakeGateway
from plugins.subgraphs.keys import RUNTIME

TOOL = Path(__file__).resolve().parents[3] / "tools" / "subgraph-node"


@pytest.fixture
def node_subgraph() -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the Node subgraph test (install node).")
    if not (TOOL / "node_modules" / "@apollo" / "subgraph").is_dir():
        pytest.fail("@apollo/subgraph is not installed: run `npm ci --prefix tools/subgraph-node`.")
    with subprocess.Popen(
        [node, str(TOOL / "server.mjs"), "0"], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("listening "), line
            yield f"http://127.0.0.1:{int(line.split()[1])}"
        finally:
            process.terminate()
            process.wait(timeout=10)


async def test_a_node_subgraph_extends_course(make_gateway: MakeGateway, node_subgraph: str) -> None:
    client = await make_gateway(
        plugins={"subgraphs": {"subgraphs": [{"name": "lms", "url": f"{node_subgraph}/graphql"}]}}
    )
    body = await client.graphql(
        """
        {
          course(id: "istm:office-procedure") {
            title
            lmsRating
            lmsReviews { stars learner { name } }
          }
          courses(first: 10) { edges { node { id lmsRating } } }
          lmsAnnouncements
        }
        """,
        as_learner="learner:demo-asha",
    )
    course = body["data"]["course"]
    assert course["lmsRating"] == 4.5
    assert course["lmsReviews"] == [{"stars": 5, "learner": {"name": "Asha Verma"}}]
    edges = body["data"]["courses"]["edges"]
    assert len(edges) == 10
    rated = {e["node"]["id"]: e["node"]["lmsRating"] for e in edges}
    assert all(v is None for k, v in rated.items() if k not in ("istm:office-procedure", "istm:rti-act"))
    assert body["data"]["lmsAnnouncements"] == ["Induction batch opens on 1 January"]
    async with httpx.AsyncClient() as http:
        served = (await http.get(f"{node_subgraph}/requests")).json()["requests"]
    assert client.gateway.state[RUNTIME].late_waves == 0  # settled, not sent at the time limit
    assert served == 1  # eleven courses and a root field: one wave, one request
