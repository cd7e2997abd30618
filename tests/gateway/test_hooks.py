"""Every hook has a test (its docs/plugins.md example, run here) and a section
in docs/plugins.md; the meta-tests at the end fail when a hook lacks either."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway import hookspecs
from gateway.testing import MakeGateway
from tests.gateway.docs_examples import example_files, run_example, sections


@pytest.fixture
def fixtures(make_gateway: MakeGateway, database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {"make_gateway": make_gateway, "database_url": database_url, "tmp_path": tmp_path}


def hook_names() -> list[str]:
    return sorted(
        name
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(func, f"{hookspecs.PROJECT}_spec")
    )


async def test_hook_register_settings_model(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_settings_model", tmp_path / "example", fixtures)


async def test_hook_register_migrations(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_migrations", tmp_path / "example", fixtures)


async def test_hook_register_schema(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_schema", tmp_path / "example", fixtures)


async def test_hook_register_node_resolvers(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_node_resolvers", tmp_path / "example", fixtures)


async def test_hook_register_services(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_services", tmp_path / "example", fixtures)


async def test_hook_register_content_providers(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_content_providers", tmp_path / "example", fixtures)


async def test_hook_register_collections(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_collections", tmp_path / "example", fixtures)


async def test_hook_register_passbook_backend(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_passbook_backend", tmp_path / "example", fixtures)


async def test_hook_register_routes(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_routes", tmp_path / "example", fixtures)


async def test_hook_register_commands(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_commands", tmp_path / "example", fixtures)


async def test_hook_principal_from_request(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("principal_from_request", tmp_path / "example", fixtures)


async def test_hook_session_ended(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("session_ended", tmp_path / "example", fixtures)


async def test_hook_startup(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("startup", tmp_path / "example", fixtures)


async def test_hook_shutdown(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("shutdown", tmp_path / "example", fixtures)


async def test_hook_load_demo_data(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("load_demo_data", tmp_path / "example", fixtures)


async def test_hook_register_state_module(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_state_module", tmp_path / "example", fixtures)


async def test_hook_register_cache_dependencies(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_cache_dependencies", tmp_path / "example", fixtures)


async def test_hook_register_plan_rules(fixtures: dict[str, Any], tmp_path: Path) -> None:
    await run_example("register_plan_rules", tmp_path / "example", fixtures)


def test_meta_every_hook_has_a_test() -> None:
    module = sys.modules[__name__]
    missing = [h for h in hook_names() if not hasattr(module, f"test_hook_{h}")]
    assert missing == [], f"hooks without a test_hook_<name> in tests/gateway/test_hooks.py: {missing}"


def test_meta_every_hook_has_a_documented_example() -> None:
    documented = sections()
    missing = [h for h in hook_names() if h not in documented]
    assert missing == [], f"hooks without a section in docs/plugins.md: {missing}"
    without_example = [h for h in hook_names() if not example_files(h)]
    assert without_example == [], f"sections without a runnable example: {without_example}"


def test_meta_docs_name_no_hook_that_does_not_exist() -> None:
    assert sorted(set(sections()) - set(hook_names())) == []


def test_meta_hook_names_are_found() -> None:
    # Guards the meta-tests: they would pass vacuously if no hook were found.
    assert {"register_schema", "principal_from_request", "startup"} <= set(hook_names())
