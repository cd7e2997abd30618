"""Per-state modules: a plugin's contributions reach only learners of the
states that switch it on in ``state_modules``; bad settings stop start-up."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from strawberry import Info

from gateway import hookimpl
from gateway.context import RequestContext
from gateway.settings import load_settings
from gateway.testing import MakeGateway, StaticProvider, error_codes
from schema.contribution import SchemaContribution
from schema.errors import StartupError
from schema.identity import Principal
from schema.learner import Learner

ON_IN_HARYANA = {"state_modules": {"org:haryana": ["skills"]}}


def code(root: Learner) -> str | None:
    return f"HR-{root.id}"


def pledge(info: Info, text: str) -> str:
    return f"pledged: {text}"


class Provider(StaticProvider):
    name = "Haryana Skills"

    def __init__(self) -> None:
        super().__init__("haryana_skills")


class SkillsModule:
    def __init__(self, *, state_module: bool = True, learner_type: Any = None) -> None:
        self.state_module = state_module
        self.learner_type = learner_type

    @hookimpl
    def register_state_module(self) -> bool | None:
        return self.state_module or None

    @hookimpl
    def register_schema(self) -> SchemaContribution:
        field = strawberry.field(resolver=code, name="skillsCode")
        if self.learner_type is not None:
            field = strawberry.field(
                resolver=lambda root: "x", name="skillsCode", graphql_type=self.learner_type
            )
        return SchemaContribution(
            mutation=[strawberry.mutation(resolver=pledge, name="skillsPledge")],
            type_fields={"Learner": [field]},
        )

    @hookimpl
    def register_content_providers(self) -> list[Provider]:
        return [Provider()]


LEARNER_CODE = "query ($id: ID!) { learner(id: $id) { skillsCode } }"


async def test_learner_fields_follow_the_learner_shown(make_gateway: MakeGateway) -> None:
    client = await make_gateway(extra_plugins=[("skills", SkillsModule())], **ON_IN_HARYANA)
    # the SPV admin is outside Haryana but sees the Haryana learner's field
    haryana = await client.graphql(
        LEARNER_CODE, {"id": "learner:demo-manoj"}, as_learner="learner:demo-admin"
    )
    assert haryana["data"]["learner"]["skillsCode"] == "HR-learner:demo-manoj"
    # a Haryana admin looking at nobody outside; a DoPT admin sees null for a DoPT learner
    dopt = await client.graphql(LEARNER_CODE, {"id": "learner:demo-asha"}, as_learner="learner:demo-vikram")
    assert dopt["data"]["learner"]["skillsCode"] is None


async def test_mutations_outside_the_state_are_forbidden(make_gateway: MakeGateway) -> None:
    client = await make_gateway(extra_plugins=[("skills", SkillsModule())], **ON_IN_HARYANA)
    mutation = 'mutation { skillsPledge(text: "learn AI") }'
    inside = await client.graphql(mutation, as_learner="learner:demo-manoj")
    assert inside["data"] == {"skillsPledge": "pledged: learn AI"}
    outside = await client.graphql(mutation, as_learner="learner:demo-asha", expect_errors=True)
    assert error_codes(outside) == ["FORBIDDEN"]
    assert "skills" in outside["errors"][0]["message"]


async def test_provider_visibility_follows_the_signed_in_learner(make_gateway: MakeGateway) -> None:
    client = await make_gateway(extra_plugins=[("skills", SkillsModule())], **ON_IN_HARYANA)
    gateway = client.gateway
    assert gateway.provider_owners["haryana_skills"] == "skills"

    def ctx(learner_id: str | None) -> RequestContext:
        principal = Principal(learner_id=learner_id, source="test") if learner_id else None
        return RequestContext(gateway=gateway, request=None, principal=principal, request_id="t")

    states = gateway.states
    assert await states.provider_reaches_principal(ctx("learner:demo-manoj"), "haryana_skills")
    assert not await states.provider_reaches_principal(ctx("learner:demo-asha"), "haryana_skills")
    assert not await states.provider_reaches_principal(ctx(None), "haryana_skills")
    assert await states.provider_reaches_principal(ctx("learner:demo-asha"), "some_national_provider")
    assert states.describe() == {"skills": ["org:haryana"]}


async def test_switched_off_everywhere_reaches_nobody(make_gateway: MakeGateway) -> None:
    client = await make_gateway(extra_plugins=[("skills", SkillsModule())])
    body = await client.graphql(LEARNER_CODE, {"id": "learner:demo-manoj"}, as_learner="learner:demo-manoj")
    assert body["data"]["learner"]["skillsCode"] is None
    assert client.gateway.states.describe() == {"skills": []}


async def test_setting_from_the_environment(
    make_gateway: MakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KARMAYOGI_STATE_MODULES", '{"org:haryana": ["skills"]}')
    client = await make_gateway(extra_plugins=[("skills", SkillsModule())])
    assert client.gateway.states.states_of("skills") == {"org:haryana"}


@pytest.mark.parametrize(
    ("plugin", "state_modules", "message"),
    [
        (SkillsModule(), {"org:haryana": ["nowhere"]}, "'nowhere', which is not installed or is blocked"),
        (SkillsModule(), {"org:haryana": ["passbook"]}, "'passbook', which is not a state module"),
        (SkillsModule(learner_type=str), {"org:haryana": ["skills"]}, "must be nullable"),
    ],
    ids=["unknown-plugin", "not-a-state-module", "non-null-field"],
)
def test_bad_state_settings_stop_building(
    database_url: str, plugin: Any, state_modules: dict[str, list[str]], message: str
) -> None:
    from gateway.app import create_app

    with pytest.raises(StartupError, match=message):
        create_app(
            load_settings(database_url=database_url, state_modules=state_modules),
            extra_plugins=[("skills", plugin)],
        )


@pytest.mark.parametrize("state", ["org:hr-gad", "org:atlantis"])
async def test_state_must_be_a_root_organisation(database_url: str, state: str) -> None:
    from gateway.app import create_app

    settings = load_settings(
        database_url=database_url, load_demo_data=True, state_modules={state: ["skills"]}
    )
    gateway = create_app(settings, extra_plugins=[("skills", SkillsModule())]).state.gateway
    try:
        with pytest.raises(StartupError, match=f"{state}, which is not a root organisation"):
            await gateway.start()
    finally:
        await gateway.db.dispose()


def test_financial_year_end() -> None:
    import datetime as dt

    from schema.plan_rules import financial_year_end

    assert financial_year_end(dt.date(2026, 11, 28)) == dt.date(2027, 3, 31)
    assert financial_year_end(dt.date(2027, 3, 31)) == dt.date(2027, 3, 31)
    assert financial_year_end(dt.date(2027, 4, 1)) == dt.date(2028, 3, 31)
    assert financial_year_end(dt.date(2027, 1, 5)) == dt.date(2027, 3, 31)
