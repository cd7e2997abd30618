"""The hook contract: each plugin answers once per hook, ``register_*`` hooks
are refused when async, and every registry (plan rules, collections, services,
the passbook backend, settings) is checked while the app is built."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway.api import (
    SIGN_IN,
    CollectionRecord,
    PlanRule,
    ServiceKey,
    StartupError,
    StateKey,
    hookimpl,
)
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing import MakeGateway
from schema.context import State


def settings(tmp_path: Path, **overrides: object) -> Any:
    return load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}", **overrides)


def route(path: str) -> Route:
    return Route(path, lambda request: PlainTextResponse(path))


class TwoRouteHooks:
    """One plugin implementing register_routes twice (pluggy allows it)."""

    @hookimpl
    def register_routes(self) -> list[Route]:
        return [route("/a")]

    @hookimpl(specname="register_routes")
    def more_routes(self) -> list[Route]:
        return [route("/b")]


def test_a_plugin_implementing_a_hook_twice_is_gathered_once(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path), extra_plugins=[("twice", TwoRouteHooks())])
    paths = [r.path for r in app.state.gateway.routes if r.path in ("/a", "/b")]
    assert sorted(paths) == ["/a", "/b"]


class AsyncRoutes:
    @hookimpl
    async def register_routes(self) -> list[Route]:
        return [route("/late")]


class AsyncProviders:
    @hookimpl
    async def register_content_providers(self) -> list[Any]:
        return []


@pytest.mark.parametrize(
    ("plugin", "hook"), [(AsyncRoutes(), "register_routes"), (AsyncProviders(), "register_content_providers")]
)
def test_an_async_register_hook_stops_start_up_naming_plugin_and_hook(
    tmp_path: Path, plugin: object, hook: str
) -> None:
    with pytest.raises(StartupError, match=rf"Plugin 'late': {hook} returned an awaitable.*plain `def`"):
        create_app(settings(tmp_path), extra_plugins=[("late", plugin)])


class DatedRule:
    @hookimpl
    def register_plan_rules(self) -> list[PlanRule]:
        return [
            PlanRule(
                id="year-end",
                course_id="istm:office-procedure",
                due_date=lambda today: dt.date(today.year + 1, 1, 1),
                organisation_id="org:dopt",
            )
        ]


def test_plan_rules_are_gathered_at_build_time_and_dated_rules_follow_today(tmp_path: Path) -> None:
    gateway = create_app(settings(tmp_path), extra_plugins=[("dated", DatedRule())]).state.gateway
    [(plugin, rule)] = gateway.plan_rules
    assert plugin == "dated"
    assert rule.due_on(dt.date(2026, 6, 1)) == dt.date(2027, 1, 1)
    assert rule.due_on(dt.date(2027, 6, 1)) == dt.date(2028, 1, 1)  # never stale


class TwinRules:
    @hookimpl
    def register_plan_rules(self) -> list[PlanRule]:
        rule = PlanRule(id="x", course_id="istm:a", due_date=dt.date(2027, 3, 31), organisation_id="org:dopt")
        return [rule, rule]


def test_two_plan_rules_with_one_id_stop_start_up(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"Plugin 'twins' gives two plan rules with the id 'x'"):
        create_app(settings(tmp_path), extra_plugins=[("twins", TwinRules())])


def curated(collection_id: str) -> CollectionRecord:
    return CollectionRecord(
        id=collection_id, title="T", description="D", curated_by="org:dopt", course_ids=("istm:a",)
    )


class Curator:
    def __init__(self, collection_id: str) -> None:
        self.collection_id = collection_id

    @hookimpl
    def register_collections(self) -> list[CollectionRecord]:
        return [curated(self.collection_id)]


def test_a_collection_two_plugins_give_stops_start_up_naming_both(tmp_path: Path) -> None:
    plugins = [("first", Curator("collection:same")), ("second", Curator("collection:same"))]
    with pytest.raises(StartupError, match=r"Plugins 'first' and 'second' both give the collection"):
        create_app(settings(tmp_path), extra_plugins=plugins)


def test_a_collection_id_without_its_prefix_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"Plugin 'bad'.*must start with 'collection:'"):
        create_app(settings(tmp_path), extra_plugins=[("bad", Curator("haryana"))])


class HalfBackend:
    name = "half"

    async def enrolled_course_ids(self, learner_id: str, course_ids: list[str]) -> set[str]:
        return set()


class HalfPassbook:
    @hookimpl
    def register_passbook_backend(self) -> HalfBackend:
        return HalfBackend()


def test_a_passbook_backend_is_checked_against_its_protocol(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"'half'.*lacks record_external_completion"):
        create_app(settings(tmp_path, plugins_block=["passbook"]), extra_plugins=[("half", HalfPassbook())])


class RogueSignIn:
    @hookimpl
    def register_services(self) -> dict[ServiceKey[Any], object]:
        return {SIGN_IN: object()}


def test_a_service_two_plugins_provide_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"Plugins 'identity' and 'rogue' both provide the 'sign_in'"):
        create_app(settings(tmp_path), extra_plugins=[("rogue", RogueSignIn())])


def test_a_service_lacking_its_protocol_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"Plugin 'rogue': its 'sign_in' service lacks .*sign_in"):
        create_app(settings(tmp_path, plugins_block=["identity"]), extra_plugins=[("rogue", RogueSignIn())])


def test_a_missing_service_is_named(tmp_path: Path) -> None:
    gateway = create_app(settings(tmp_path, plugins_block=["identity"])).state.gateway
    assert gateway.optional_service(SIGN_IN) is None
    with pytest.raises(StartupError, match=r"No enabled plugin provides the 'sign_in' service"):
        gateway.service(SIGN_IN)


class Knobs(BaseModel):
    size: int = 3


class Knobbed:
    @hookimpl
    def register_settings_model(self) -> type[BaseModel]:
        return Knobs


def test_plugin_settings_are_looked_up_by_their_model(tmp_path: Path) -> None:
    gateway = create_app(
        settings(tmp_path, plugins={"knobbed": {"size": 7}}), extra_plugins=[("knobbed", Knobbed())]
    ).state.gateway
    section = gateway.plugin_settings(Knobs)
    assert isinstance(section, Knobs) and section.size == 7
    with pytest.warns(DeprecationWarning, match="by name is deprecated"):
        assert gateway.plugin_settings("knobbed") is section


def test_state_is_keyed_by_typed_keys() -> None:
    counter: StateKey[int] = StateKey("test.counter")
    other: StateKey[int] = StateKey("test.counter")  # same name, another key: no clash by string
    state = State()
    state[counter] = 1
    assert state.get(counter) == 1 and state.get(other) is None
    assert state.setdefault(other, 5) == 5 and state[counter] == 1


async def test_loader_caches_are_dropped_after_a_write(make_gateway: MakeGateway) -> None:
    """A read after ``ctx.write()`` in the same request sees the change."""
    from sqlalchemy import update

    from gateway.context import RequestContext
    from gateway.directory.models import LearnerRow
    from schema.reads import LEARNERS_BY_ID

    client = await make_gateway()
    ctx = RequestContext(gateway=client.gateway, request=None, principal=None, request_id="t")
    before = await ctx.load(LEARNERS_BY_ID, "learner:demo-asha")
    assert before is not None and before.designation != "Under Secretary"
    async with ctx.write() as session:
        await session.execute(
            update(LearnerRow)
            .where(LearnerRow.id == "learner:demo-asha")
            .values(designation="Under Secretary")
        )
    after = await ctx.load(LEARNERS_BY_ID, "learner:demo-asha")
    assert after is not None and after.designation == "Under Secretary"


def test_the_old_errors_module_still_works_and_warns() -> None:
    import importlib
    import sys

    sys.modules.pop("gateway.errors", None)
    with pytest.warns(DeprecationWarning, match="import the errors from gateway.api"):
        old = importlib.import_module("gateway.errors")
    from gateway.api import NotFound

    assert old.NotFound is NotFound
