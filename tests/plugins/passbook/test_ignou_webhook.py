"""An IGNOU completion arriving by its signed webhook completes the learner's
external enrolment, with a certificate and EXTERNAL_COURSE evidence."""

from __future__ import annotations

import time

import orjson

from gateway.testing import MakeGateway
from plugins.content_ignou.webhook import sign
from tests.plugins.passbook.helpers import ASHA, ENROL

SECRET = "a-test-secret-shared-with-ignou-0123456789"
ME = """{ me {
  enrolments { edges { node { status missingForCompletion course { id } certificate { id verifyUrl } } } }
  passbook { learningHours entries { competency { id } evidence { channel contextId certificate { id } } } }
} }"""


async def test_ignou_webhook_completes_an_external_enrolment(make_gateway: MakeGateway) -> None:
    client = await make_gateway(plugins={"content_ignou": {"webhook_secret": SECRET}})
    enrolled = await client.graphql(ENROL, {"c": "ignou:cit"}, as_learner=ASHA)
    assert enrolled["data"]["enrol"]["status"] == "NOT_STARTED"
    before = (await client.graphql(ME, as_learner=ASHA))["data"]["me"]
    (missing,) = before["enrolments"]["edges"][0]["node"]["missingForCompletion"]
    assert missing.startswith("Complete the course on Indira Gandhi National Open University")

    raw = orjson.dumps(
        {
            "eventId": "evt-42",
            "courseId": "cit",
            "learnerEmail": "asha.verma@dopt.gov.in",
            "completedAt": "2026-11-20T15:00:00+05:30",
            "scorePercent": 81,
            "certificateUrl": "https://ignou.example/cert/42",
        }
    )
    ts = str(int(time.time()))
    response = await client.http.post(
        "/providers/ignou/completions",
        content=raw,
        headers={
            "content-type": "application/json",
            "x-ignou-timestamp": ts,
            "x-ignou-signature": sign(SECRET, ts, raw),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["delivered"] is True

    me = (await client.graphql(ME, as_learner=ASHA))["data"]["me"]
    (edge,) = me["enrolments"]["edges"]
    node = edge["node"]
    assert node["status"] == "COMPLETED" and node["missingForCompletion"] == []
    assert node["certificate"] is not None
    assert me["passbook"]["entries"], "the course's competencies are in the passbook"
    for entry in me["passbook"]["entries"]:
        assert entry["evidence"] == [
            {
                "channel": "EXTERNAL_COURSE",
                "contextId": "ignou:cit",
                "certificate": {"id": node["certificate"]["id"]},
            }
        ]
    assert me["passbook"]["learningHours"] > 0
