"""The fixtures gateway.testing offers plugin authors: plugin_client with
plugin_under_test and plugin_settings, sign_in with a chosen role."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry

from gateway import hookimpl
from gateway.plugin_testing import SignIn
from gateway.testing import GatewayClient
from plugins.subscriptions.plugin import SubscriptionSettings
from schema.contribution import SchemaContribution


def motto() -> str:
    return "Karmayogi"


class Motto:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        return SchemaContribution(query=[strawberry.field(resolver=motto, name="motto")])


@pytest.fixture
def plugin_under_test() -> list[tuple[str, object]]:
    return [("motto", Motto())]


@pytest.fixture
def plugin_settings() -> dict[str, Any]:
    return {"plugins": {"subscriptions": {"max_per_connection": 3}}}


async def test_plugin_client_has_the_plugin_and_settings(plugin_client: GatewayClient) -> None:
    assert (await plugin_client.graphql("{ motto }"))["data"] == {"motto": "Karmayogi"}
    assert plugin_client.gateway.plugin_settings(SubscriptionSettings).max_per_connection == 3


@pytest.mark.parametrize(
    ("role", "organisation", "roles"),
    [
        ("LEARNER", "org:dopt", ["LEARNER"]),
        ("MDO_ADMIN", "org:dopt", ["LEARNER", "MDO_ADMIN"]),
        ("STATE_ADMIN", "org:haryana", ["LEARNER", "STATE_ADMIN"]),
        ("SPV_ADMIN", "org:dopt", ["LEARNER", "SPV_ADMIN"]),
    ],
)
async def test_sign_in_gives_a_learner_of_that_role(
    sign_in: SignIn, role: str, organisation: str, roles: list[str]
) -> None:
    learner = await sign_in(role, organisation_id=organisation)
    body = await learner.graphql("{ me { id roles organisation { id } } }")
    assert body["data"]["me"] == {"id": learner.id, "roles": roles, "organisation": {"id": organisation}}


async def test_sign_in_scopes_admin_roles(sign_in: SignIn) -> None:
    admin = await sign_in("MDO_ADMIN", organisation_id="org:dopt")
    query = "query ($id: ID!) { learner(id: $id) { name } }"
    inside = await admin.graphql(query, {"id": "learner:demo-asha"})
    assert inside["data"]["learner"] == {"name": "Asha Verma"}
    outside = await admin.graphql(query, {"id": "learner:demo-manoj"}, expect_errors=True)
    assert outside["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_sign_in_refuses_an_unknown_role(sign_in: SignIn) -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        await sign_in("KING")
