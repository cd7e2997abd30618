"""docs/providers.md cannot drift: its feed example syncs, its worked example runs."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Any

import orjson

from gateway.testing import MakeGateway
from plugins.content_istm.feed import parse_feed

DOC = Path(__file__).resolve().parents[2] / "docs" / "providers.md"
BLOCK = re.compile(r"^```(python|json) file=(\S+)\n(.*?)^```\s*$", re.M | re.S)


def blocks() -> dict[str, str]:
    return {m.group(2): m.group(3) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


async def test_the_feed_example_is_a_valid_feed(make_gateway: MakeGateway, tmp_path: Path) -> None:
    feed = parse_feed(blocks()["feed.json"])
    assert feed.courses[0].id == "rti-basics"
    client = await make_gateway()
    path = tmp_path / "feed.json"
    path.write_bytes(orjson.dumps(orjson.loads(blocks()["feed.json"])))
    report = await client.gateway.providers["istm"].sync(str(path))  # type: ignore[attr-defined]
    assert report.courses == 1


async def test_the_worked_example_runs(make_gateway: MakeGateway, tmp_path: Path) -> None:
    files = {k: v for k, v in blocks().items() if k.endswith(".py")}
    for name, source in files.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    ran = []
    try:
        module = importlib.import_module("test_hipa")
        for name, func in inspect.getmembers(module, inspect.iscoroutinefunction):
            if name.startswith("test_"):
                args: dict[str, Any] = {"make_gateway": make_gateway}
                await func(**{k: args[k] for k in inspect.signature(func).parameters})
                ran.append(name)
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("hipa", "test_hipa"):
            sys.modules.pop(name, None)
    assert ran == ["test_hipa_joins_the_catalogue_and_passes_the_kit"]
