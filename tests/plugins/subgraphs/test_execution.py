"""Remote fields: the answer, one HTTP request per subgraph per wave, the
client's sub-selection forwarded, nesting, and the token the subgraph sees."""

from __future__ import annotations

from typing import Any

import jwt

from gateway.testing import GatewayClient, error_codes
from plugins.subgraphs.keys import RUNTIME
from plugins.subgraphs.plugin import JWKS_PATH
from plugins.subgraphs.standin.server import HrmsStandIn

ADMIN = "learner:demo-vikram"  # MDO admin of DoPT: may read asha, rahul, meena

THREE_LEARNERS = """
{
  a: learner(id: "learner:demo-asha") { name serviceRecord { cadre postings { organisation { name } } } }
  b: learner(id: "learner:demo-rahul") { name serviceRecord { cadre postings { organisation { name } } } }
  c: learner(id: "learner:demo-meena") { name serviceRecord { cadre postings { organisation { name } } } }
}
"""


async def test_dashboard_mixes_passbook_catalogue_and_the_subgraph(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    body = await client.graphql(
        """
        {
          me {
            name
            passbook { karmaPoints }
            serviceRecord { cadre postings { organisation { id name } from to } }
          }
          courses(first: 2) { totalCount edges { node { title } } }
          hrmsCadres(code: "HCS") { name sanctionedStrength }
        }
        """,
        as_learner="learner:demo-asha",
    )
    me = body["data"]["me"]
    assert me["name"] == "Asha Verma"
    assert isinstance(me["passbook"]["karmaPoints"], int)
    assert me["serviceRecord"]["cadre"] == "CSS"
    assert [p["organisation"]["name"] for p in me["serviceRecord"]["postings"]] == [
        "Institute of Secretariat Training and Management",
        "Department of Personnel and Training",
    ]
    assert me["serviceRecord"]["postings"][1]["to"] is None
    assert body["data"]["courses"]["totalCount"] > 0
    assert body["data"]["hrmsCadres"] == [{"name": "Haryana Civil Service", "sanctionedStrength": 420}]
    # The root field and the entity field are one wave: one request.
    assert hrms.requests == 1
    assert body["extensions"]["subgraphPlan"]["requests"] == 1


async def test_one_request_for_every_entity_of_a_wave(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    body = await client.graphql(THREE_LEARNERS, as_learner=ADMIN)
    assert [body["data"][k]["serviceRecord"]["cadre"] for k in "abc"] == ["CSS", "CSS", "CSS"]
    assert (
        body["data"]["c"]["serviceRecord"]["postings"][0]["organisation"]["name"] == "Ministry of Education"
    )
    assert hrms.requests == 1
    assert hrms.documents[0].count("_entities") == 1


async def test_the_request_count_does_not_grow_with_the_list(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    ids = ["learner:demo-asha", "learner:demo-rahul", "learner:demo-meena", "learner:demo-vikram"] * 3
    query = (
        "{ "
        + " ".join(f'l{i}: learner(id: "{lid}") {{ serviceRecord {{ cadre }} }}' for i, lid in enumerate(ids))
        + " }"
    )
    body = await client.graphql(query, as_learner=ADMIN)
    assert body["data"]["l0"]["serviceRecord"]["cadre"] == "CSS"
    assert body["data"]["l3"]["serviceRecord"] is None  # the HRMS has no record of vikram
    assert hrms.requests == 1


async def test_two_fields_of_one_subgraph_in_one_wave_share_a_request(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    body = await client.graphql(
        """{ me { s1: serviceRecord { cadre } s2: serviceRecord { postingCount } } }""",
        as_learner="learner:demo-asha",
    )
    assert body["data"]["me"] == {"s1": {"cadre": "CSS"}, "s2": {"postingCount": 2}}
    assert hrms.requests == 1
    assert hrms.documents[0].count("_entities") == 2  # one alias per sub-selection


async def test_sub_selection_is_forwarded_as_written(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    query = """
    query Dashboard($withPostings: Boolean!, $code: String) {
      me {
        serviceRecord { ...Record }
      }
      cadres: hrmsCadres(code: $code) { code }
    }
    fragment Record on ServiceRecord {
      myCadre: cadre
      jobs: postings @include(if: $withPostings) { since: from organisation { name } }
    }
    """
    off = await client.graphql(query, {"withPostings": False, "code": "HCS"}, as_learner="learner:demo-asha")
    assert off["data"]["me"]["serviceRecord"] == {"myCadre": "CSS"}
    assert off["data"]["cadres"] == [{"code": "HCS"}]
    on = await client.graphql(query, {"withPostings": True, "code": None}, as_learner="learner:demo-asha")
    jobs = on["data"]["me"]["serviceRecord"]["jobs"]
    assert jobs[0] == {
        "since": "2015-08-01",
        "organisation": {"name": "Institute of Secretariat Training and Management"},
    }
    assert len(on["data"]["cadres"]) == 2
    sent = "\n".join(hrms.documents)
    assert "myCadre: cadre" in sent
    assert "postings @include(if: $withPostings)" in sent
    assert "$withPostings: Boolean!" in sent
    assert "hrmsCadres(code: $code)" in sent
    assert "name" not in sent.split("organisation", 1)[1].split("}", 1)[0]  # only the key of our entity


async def test_only_fields_the_subgraph_owns_are_sent(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    await client.graphql("{ me { name email serviceRecord { cadre } } }", as_learner="learner:demo-asha")
    (document,) = hrms.documents
    assert "email" not in document and "name" not in document
    assert "serviceRecord" in document


async def test_the_subgraph_gets_a_token_the_gateway_signed(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    session = await client.session_token("learner:demo-deepak")
    await client.graphql("{ me { serviceRecord { cadre } } }", headers={"Authorization": f"Bearer {session}"})
    (sent,) = hrms.tokens
    assert sent is not None and sent.startswith("Bearer ")
    token = sent.removeprefix("Bearer ")
    assert session not in sent
    jwks = (await client.http.get(JWKS_PATH)).json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(token, key.key, algorithms=["EdDSA"], audience="hrms")
    assert claims["sub"] == "learner:demo-deepak"
    assert claims["org"] == "org:hr-revenue"
    assert claims["state"] == "org:haryana"
    assert claims["exp"] - claims["iat"] == 60
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]


async def test_a_state_subgraph_serves_that_state_only(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined(states=["org:haryana"])
    outside = await client.graphql(
        "{ me { serviceRecord { cadre } } hrmsCadres { code } }", as_learner="learner:demo-asha"
    )
    assert outside["data"] == {"me": {"serviceRecord": None}, "hrmsCadres": None}
    assert hrms.requests == 0
    inside = await client.graphql("{ me { serviceRecord { cadre } } }", as_learner="learner:demo-deepak")
    assert inside["data"]["me"]["serviceRecord"]["cadre"] == "HCS"


async def test_remote_under_local_under_remote(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    body = await client.graphql(
        '{ hrmsOfficers(cadre: "CSS") { name organisation { name } serviceRecord { postingCount } } }',
        as_learner=ADMIN,
    )
    officers = body["data"]["hrmsOfficers"]
    assert [o["name"] for o in officers] == ["Asha Verma", "Rahul Nair", "Meena Iyer"]
    assert officers[0]["organisation"]["name"] == "Department of Personnel and Training"
    assert [o["serviceRecord"]["postingCount"] for o in officers] == [2, 1, 2]
    assert hrms.requests == 2  # wave 1: the root field; wave 2: three entities in one request
    assert body["extensions"]["subgraphPlan"]["requests"] == 2
    # Each wave was sent once settled, not at its time limit.
    assert client.gateway.state[RUNTIME].late_waves == 0


async def test_gateway_authorisation_applies_to_entities_a_subgraph_returns(joined: Any) -> None:
    client: GatewayClient = await joined()
    body = await client.graphql(
        '{ hrmsOfficers(cadre: "CSS") { name } }', as_learner="learner:demo-asha", expect_errors=True
    )
    assert "Rahul Nair" not in str(body["data"])
    assert "FORBIDDEN" in error_codes(body)


async def test_a_repeated_query_answers_the_same_once_compiled(joined: Any, hrms: HrmsStandIn) -> None:
    client: GatewayClient = await joined()
    bodies = [await client.graphql(THREE_LEARNERS, as_learner=ADMIN) for _ in range(4)]
    assert all(b["data"] == bodies[0]["data"] for b in bodies)
    assert hrms.requests == 4  # one per operation, whichever executor ran it
    metrics = (await client.http.get("/metrics")).text
    assert "karmayogi_graphql_executions_total" in metrics
