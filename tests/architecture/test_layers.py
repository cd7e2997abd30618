"""The floors of the house: ``schema`` < ``gateway`` < ``plugins``.

* ``schema`` imports nothing of ``gateway`` or ``plugins``, at run time or
  under ``TYPE_CHECKING``;
* ``gateway`` (the kernel) imports no plugin's modules;
* a plugin imports no other plugin's modules;
* no import cycle at run time, deferred imports inside functions included.
"""

from __future__ import annotations

import pytest

from tests.architecture.imports import Edge, cycles, import_graph


@pytest.fixture(scope="module")
def graph() -> list[Edge]:
    return import_graph()


def where(edges: list[Edge]) -> str:
    return "\n".join(f"{e.source}:{e.line} imports {e.target}" for e in edges)


def plugin_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "plugins" and len(parts) > 1 else None


def test_schema_imports_neither_gateway_nor_plugins(graph: list[Edge]) -> None:
    bad = [e for e in graph if e.source.startswith("schema") and not e.target.startswith("schema")]
    assert not bad, where(bad)


def test_the_kernel_imports_no_plugin(graph: list[Edge]) -> None:
    bad = [e for e in graph if e.source.split(".")[0] == "gateway" and e.target.split(".")[0] == "plugins"]
    assert not bad, where(bad)


def test_no_plugin_imports_another_plugins_modules(graph: list[Edge]) -> None:
    bad = [
        e
        for e in graph
        if plugin_of(e.source) and plugin_of(e.target) and plugin_of(e.source) != plugin_of(e.target)
    ]
    assert not bad, where(bad)


def test_no_import_cycle_at_run_time(graph: list[Edge]) -> None:
    found = cycles(graph)
    assert not found, "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle() -> None:
    made_up = [
        Edge("a", "b", 1, False),
        Edge("b", "c", 1, False),
        Edge("c", "a", 1, False),
        Edge("c", "d", 1, True),
    ]
    assert cycles(made_up) == [["a", "b", "c"]]
    assert cycles([Edge("a", "b", 1, False), Edge("b", "a", 1, True)]) == []
