"""Plugin authors import from one module, ``gateway.api``: the example plugin,
the ``karmayogi new-plugin`` template and every snippet in docs/plugins.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gateway.api

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = re.compile(r"```python[^\n]*\n(.*?)```", re.S)


def sources() -> list[tuple[str, str]]:
    found = [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "examples").rglob("*.py"))
        if "build" not in path.parts
    ]
    for path in sorted((ROOT / "gateway" / "scaffold" / "template").glob("*.py.tmpl")):
        text = path.read_text(encoding="utf-8").replace("$package", "pkg").replace("${camel}", "x")
        found.append((str(path.relative_to(ROOT)), text.replace("$", "")))
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for number, block in enumerate(SNIPPET.findall(docs), 1):
        found.append((f"docs/plugins.md snippet {number}", block))
    return found


def project_imports(text: str) -> list[tuple[int, str, list[str]]]:
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, []) for a in node.names)
    return [
        (line, module, names)
        for line, module, names in out
        if module.split(".")[0] in {"gateway", "schema", "plugins"}
    ]


def test_authors_import_only_gateway_api() -> None:
    bad = [
        f"{where}:{line} imports {module}"
        for where, text in sources()
        for line, module, _ in project_imports(text)
        if module != "gateway.api"
    ]
    assert not bad, "\n".join(bad)


def test_every_name_authors_import_is_in_all() -> None:
    used = {name for _, text in sources() for _, _, names in project_imports(text) for name in names}
    assert used <= set(gateway.api.__all__), sorted(used - set(gateway.api.__all__))
    for name in gateway.api.__all__:
        assert getattr(gateway.api, name) is not None, name


def test_the_check_sees_a_forbidden_import() -> None:
    assert project_imports("from gateway.context import context_of\nimport json\n") == [
        (1, "gateway.context", ["context_of"])
    ]
