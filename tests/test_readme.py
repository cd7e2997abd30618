"""The README's examples run as written."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gateway.testing import MakeGateway

README = Path(__file__).resolve().parents[1] / "README.md"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_opens_with_the_two_commands() -> None:
    first = code_blocks("sh")[0].splitlines()
    assert [line.split()[:2] for line in first] == [["make", "serve"], ["make", "test"]]


async def test_first_query_and_plugin_example_work(
    make_gateway: MakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    (plugin_source,) = [b for b in code_blocks("python") if "register_schema" in b]
    module = ModuleType("my_state_plugin")
    monkeypatch.setitem(sys.modules, "my_state_plugin", module)
    exec(compile(plugin_source, "README.md", "exec"), module.__dict__)
    gateway = await make_gateway(extra_plugins=[("my_state", module)])
    (first_query,) = code_blocks("graphql")[:1]
    body = await gateway.graphql(first_query)
    assert body["data"]["organisations"][0]["children"]
    helpline = await gateway.graphql('{ organisations(search: "Haryana") { helpline } }')
    assert helpline["data"]["organisations"][0]["helpline"] == "1800-000-0000"
