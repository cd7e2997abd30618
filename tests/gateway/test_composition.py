"""Composition: plugins' contributions become one schema; clashes stop start-up."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
import strawberry

from gateway import hookimpl
from gateway.app import create_app
from gateway.settings import load_settings
from schema.contribution import SchemaContribution
from schema.errors import StartupError


def settings(tmp_path: Path, **overrides: object):
    return load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", **overrides)


def plugin_with(**hooks: object) -> ModuleType:
    """A plugin module made on the fly (modules are what built-ins are)."""
    module = ModuleType("on_the_fly_plugin")
    for name, fn in hooks.items():
        setattr(module, name, hookimpl(fn))
    return module


async def hello() -> str:
    return "namaste"


async def greeting(root: object) -> str:
    return "hello"


def test_contributed_query_field_and_type_field_are_served(tmp_path: Path) -> None:
    extra = plugin_with(
        register_schema=lambda: SchemaContribution(
            query=[strawberry.field(resolver=hello)],
            type_fields={"Organisation": [strawberry.field(resolver=greeting)]},
        )
    )
    app = create_app(settings(tmp_path), extra_plugins=[("extra", extra)])
    sdl = app.state.gateway.schema.as_str()
    assert "hello: String!" in sdl
    org_type = sdl[sdl.index("type Organisation ") :]
    assert "greeting: String!" in org_type[: org_type.index("}")]


def test_two_plugins_adding_the_same_field_stop_startup_naming_both(tmp_path: Path) -> None:
    first = plugin_with(register_schema=lambda: SchemaContribution(query=[strawberry.field(resolver=hello)]))
    second = plugin_with(register_schema=lambda: SchemaContribution(query=[strawberry.field(resolver=hello)]))
    with pytest.raises(StartupError) as caught:
        create_app(settings(tmp_path), extra_plugins=[("alpha", first), ("beta", second)])
    message = str(caught.value)
    assert "'alpha'" in message and "'beta'" in message and "Query.hello" in message


def test_redefining_a_directory_field_names_the_directory_as_owner(tmp_path: Path) -> None:
    async def name(root: object) -> str:
        return "x"

    rogue = plugin_with(
        register_schema=lambda: SchemaContribution(type_fields={"Learner": [strawberry.field(resolver=name)]})
    )
    with pytest.raises(StartupError, match=r"'directory' and 'rogue'.*Learner\.name"):
        create_app(settings(tmp_path), extra_plugins=[("rogue", rogue)])


def test_two_plugins_defining_the_same_type_name_stop_startup(tmp_path: Path) -> None:
    @strawberry.type(name="Badge")
    class BadgeA:
        label: str

    @strawberry.type(name="Badge")
    class BadgeB:
        title: str

    a = plugin_with(register_schema=lambda: SchemaContribution(types=[BadgeA]))
    b = plugin_with(register_schema=lambda: SchemaContribution(types=[BadgeB]))
    with pytest.raises(StartupError, match=r"'a' and 'b' both define the GraphQL type 'Badge'"):
        create_app(settings(tmp_path), extra_plugins=[("a", a), ("b", b)])


def test_fields_for_a_type_nobody_defines_stop_startup(tmp_path: Path) -> None:
    orphan = plugin_with(
        register_schema=lambda: SchemaContribution(
            type_fields={"Spaceship": [strawberry.field(resolver=greeting)]}
        )
    )
    with pytest.raises(StartupError, match="Spaceship"):
        create_app(settings(tmp_path), extra_plugins=[("orphan", orphan)])


def test_two_providers_with_one_id_stop_startup_naming_both(tmp_path: Path) -> None:
    class FakeSource:
        def __init__(self) -> None:
            self.id = "same"
            self.name = "Same"

    a = plugin_with(register_content_providers=lambda: [FakeSource()])
    b = plugin_with(register_content_providers=lambda: [FakeSource()])
    with pytest.raises(StartupError, match=r"'a' and 'b' both register the content provider id 'same'"):
        create_app(settings(tmp_path), extra_plugins=[("a", a), ("b", b)])


def test_two_passbook_backends_stop_startup(tmp_path: Path) -> None:
    a = plugin_with(register_passbook_backend=lambda: SimpleNamespace(name="a"))
    b = plugin_with(register_passbook_backend=lambda: SimpleNamespace(name="b"))
    with pytest.raises(StartupError, match=r"exactly one may be active"):
        create_app(settings(tmp_path), extra_plugins=[("pb_a", a), ("pb_b", b)])


def test_a_misspelled_hook_fails_loudly(tmp_path: Path) -> None:
    typo = plugin_with(register_shema=lambda: None)
    with pytest.raises(StartupError, match="register_shema"):
        create_app(settings(tmp_path), extra_plugins=[("typo", typo)])


def test_blocked_plugin_contributes_nothing(tmp_path: Path) -> None:
    extra = plugin_with(register_schema=lambda: SchemaContribution(query=[strawberry.field(resolver=hello)]))
    app = create_app(settings(tmp_path, plugins_block=["extra"]), extra_plugins=[("extra", extra)])
    assert "extra" not in app.state.gateway.plugins.names()
    assert "hello" not in app.state.gateway.schema.as_str()


def test_allow_list_keeps_only_named_plugins(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, plugins_allow=["directory", "catalogue", "passbook"]))
    assert app.state.gateway.plugins.names() == ["directory", "catalogue", "passbook"]


def test_every_built_in_can_be_blocked_and_the_kernel_still_serves(tmp_path: Path) -> None:
    from gateway.plugins import DEFAULT_PLUGINS

    app = create_app(settings(tmp_path, plugins_block=[name for name, _ in DEFAULT_PLUGINS]))
    assert app.state.gateway.plugins.names() == []
    sdl = app.state.gateway.schema.as_str()
    assert "organisations" not in sdl and "courses" not in sdl
    assert "_service" in sdl  # the kernel's federation fields stay


async def test_async_hook_results_are_awaited_and_first_principal_wins(make_gateway) -> None:
    from schema.identity import Principal

    class First:
        @hookimpl(tryfirst=True)
        async def principal_from_request(self, request):
            return Principal(learner_id="learner:demo-asha", source="first")

    class Second:
        @hookimpl
        def principal_from_request(self, request):
            return Principal(learner_id="learner:demo-rahul", source="second")

    gw = await make_gateway(extra_plugins=[("second", Second()), ("first", First())])
    body = await gw.graphql("{ me { name } }")
    assert body["data"]["me"]["name"] == "Asha Verma"
