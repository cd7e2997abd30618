"""Runs the examples of docs/plugins.md: each hook section's ``file=`` code
blocks are written to a folder, imported, and their ``test_*`` functions run
with the fixtures they name."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
SECTION = re.compile(r"^### `(\w+)`\s*$", re.M)
BLOCK = re.compile(r"^```python file=(\S+)\n(.*?)^```\s*$", re.M | re.S)


def sections() -> dict[str, str]:
    """``{hook name: section text}`` for every ``### `name``` heading."""
    text = DOC.read_text(encoding="utf-8")
    marks = list(SECTION.finditer(text))
    return {
        m.group(1): text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        for i, m in enumerate(marks)
    }


def example_files(hook: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in BLOCK.finditer(sections()[hook])}


async def run_example(hook: str, folder: Path, fixtures: dict[str, Any]) -> list[str]:
    """Write and import the section's files, run its tests; return their names."""
    files = example_files(hook)
    assert any(Path(name).name.startswith("test_") for name in files), (
        f"docs/plugins.md: the example for {hook} has no test_*.py block"
    )
    for name, source in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    top_level = [Path(n).stem for n in files if "/" not in n]
    sys.path.insert(0, str(folder))
    ran: list[str] = []
    try:
        for module_name in top_level:
            if not module_name.startswith("test_"):
                continue
            module = importlib.import_module(module_name)
            for name, func in inspect.getmembers(module, inspect.isfunction):
                if not name.startswith("test_") or func.__module__ != module_name:
                    continue
                args = {p: fixtures[p] for p in inspect.signature(func).parameters}
                result = func(**args)
                if inspect.isawaitable(result):
                    await result
                ran.append(f"{module_name}.{name}")
    finally:
        sys.path.remove(str(folder))
        for module_name in top_level:
            sys.modules.pop(module_name, None)
    assert ran, f"docs/plugins.md: no test function ran for {hook}"
    return ran
