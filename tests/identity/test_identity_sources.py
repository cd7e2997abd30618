"""A second identity source plugs in through the same hook, and the order
between identity sources is defined (docs/identity.md, "Order")."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.directory.models import LearnerRow
from gateway.hookspecs import hookimpl
from gateway.host import Gateway
from gateway.testing import GatewayClient, MakeGateway, error_codes
from plugins.identity.http import signed_in_response
from plugins.identity.registration import VerifiedIdentity, sign_in_learner
from schema.identity import EndedSession, Principal
from tests.identity.helpers import bearer

ME = "{ me { id } }"


class StateSso:
    """A state's SSO: trusts ``X-<name>-User: <email>`` (its gateway in front
    checked it), and has a callback that starts gateway sessions."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ended: list[EndedSession] = []

    @hookimpl
    async def principal_from_request(self, request: HTTPConnection, gateway: Gateway) -> Principal | None:
        email = request.headers.get(f"x-{self.name}-user")
        if not email:
            return None
        async with gateway.db.sessionmaker() as session:
            learner_id = await session.scalar(
                select(LearnerRow.id).where(func.lower(LearnerRow.email) == email.lower())
            )
        return Principal(learner_id=learner_id, source=self.name) if learner_id else None

    @hookimpl
    def register_routes(self, gateway: Gateway) -> list[Route]:
        async def callback(request: Request) -> Response:
            identity = VerifiedIdentity(self.name, email=request.query_params["email"])
            learner = await sign_in_learner(gateway, identity)
            return await signed_in_response(gateway, learner, self.name, want_json=True)

        return [Route(f"/auth/{self.name}/callback", callback)]

    @hookimpl
    async def session_ended(self, gateway: Gateway, session: EndedSession) -> None:
        if session.source == self.name:
            self.ended.append(session)


async def test_a_second_identity_plugin_signs_people_in(make_gateway: MakeGateway) -> None:
    haryana = StateSso("haryana")
    client = await make_gateway(extra_plugins=[("haryana_sso", haryana)])
    body = await client.graphql(ME, headers={"X-Haryana-User": "manoj.kumar@hry.nic.in"})
    assert body["data"]["me"]["id"] == "learner:demo-manoj"


async def test_gateway_sessions_are_asked_before_other_identity_plugins(
    make_gateway: MakeGateway,
) -> None:
    client = await make_gateway(extra_plugins=[("haryana_sso", StateSso("haryana"))])
    token = await client.session_token("learner:demo-asha")
    headers = bearer(token) | {"X-Haryana-User": "manoj.kumar@hry.nic.in"}
    body = await client.graphql(ME, headers=headers)
    assert body["data"]["me"]["id"] == "learner:demo-asha"


async def test_later_registered_identity_plugins_are_asked_first(
    make_gateway: MakeGateway,
) -> None:
    client = await make_gateway(
        extra_plugins=[("first_sso", StateSso("first")), ("second_sso", StateSso("second"))]
    )
    headers = {"X-First-User": "asha.verma@dopt.gov.in", "X-Second-User": "rahul.nair@dopt.gov.in"}
    body = await client.graphql(ME, headers=headers)
    assert body["data"]["me"]["id"] == "learner:demo-rahul"


async def test_a_second_source_starts_gateway_sessions_and_hears_of_their_end(
    make_gateway: MakeGateway,
) -> None:
    haryana = StateSso("haryana")
    client: GatewayClient = await make_gateway(extra_plugins=[("haryana_sso", haryana)])
    api = client.browser()
    answer = await api.get("/auth/haryana/callback", params={"email": "manoj.kumar@hry.nic.in"})
    token = answer.json()["accessToken"]
    assert (await client.graphql(ME, headers=bearer(token)))["data"]["me"]["id"] == ("learner:demo-manoj")
    assert (await api.post("/auth/logout", headers=bearer(token))).status_code == 200
    assert [(s.learner_id, s.source) for s in haryana.ended] == [("learner:demo-manoj", "haryana")]
    body = await client.graphql(ME, headers=bearer(token), expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]
