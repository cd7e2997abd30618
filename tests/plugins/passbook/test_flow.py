"""The whole path: enrol, work through every resource, fail the quiz once, pass
it, give feedback, get a certificate whose PDF's QR code verifies."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp

from gateway.testing import GatewayClient
from tests.plugins.passbook.helpers import (
    ASHA,
    COURSE,
    FEEDBACK,
    PROGRESS,
    QUIZ,
    answers,
    enrol,
    feed_course,
    resources,
)


def qr_text_of(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=2).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found on the certificate page"
    return str(found[0].text)


async def test_enrol_to_verified_certificate(client: GatewayClient) -> None:
    enrolment = await enrol(client)
    quiz_resource, wrong = answers("office-procedure", right=False)
    _, right = answers("office-procedure", right=True)
    for res in resources("office-procedure"):
        if res["kind"] in ("QUIZ", "SURVEY"):
            continue
        body = await client.graphql(
            PROGRESS, {"e": enrolment, "r": f"{COURSE}/{res['id']}", "p": 100}, as_learner=ASHA
        )
    state = body["data"]["recordProgress"]
    assert state["status"] == "IN_PROGRESS"
    assert state["certificate"] is None
    assert state["missingForCompletion"] == [
        "Pass the quiz 'Final assessment' (3 attempts left)",
        "Give feedback",
    ]
    failed = (await client.graphql(QUIZ, {"e": enrolment, "r": quiz_resource, "a": wrong}, as_learner=ASHA))[
        "data"
    ]["submitQuiz"]
    assert failed == {"attempt": 1, "scorePercent": 0, "passed": False, "quiz": {"id": failed["quiz"]["id"]}}
    passed = (await client.graphql(QUIZ, {"e": enrolment, "r": quiz_resource, "a": right}, as_learner=ASHA))[
        "data"
    ]["submitQuiz"]
    assert (passed["attempt"], passed["scorePercent"], passed["passed"]) == (2, 100, True)
    done = (
        await client.graphql(FEEDBACK, {"e": enrolment, "rating": 5, "comment": "Useful"}, as_learner=ASHA)
    )["data"]["submitFeedback"]
    assert done["status"] == "COMPLETED"
    assert done["missingForCompletion"] == []
    cert = done["certificate"]
    assert cert["learnerName"] == "Asha Verma"
    assert cert["course"]["id"] == COURSE

    pdf = await client.http.get(cert["downloadUrl"].removeprefix(client.gateway.settings.public_url))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    verify_url = qr_text_of(pdf.content)
    assert verify_url == cert["verifyUrl"]
    page = await client.http.get(
        verify_url.removeprefix(client.gateway.settings.public_url), headers={"accept": "application/json"}
    )
    assert page.json()["valid"] is True
    assert page.json()["learnerName"] == "Asha Verma"

    verify = "query($id: ID!, $code: String!) { verifyCertificate(id: $id, accessCode: $code) { valid learnerName courseTitle issuedAt } }"
    signed_out = await client.graphql(verify, {"id": cert["id"], "code": cert["accessCode"]})
    assert signed_out["data"]["verifyCertificate"]["valid"] is True
    assert signed_out["data"]["verifyCertificate"]["learnerName"] == "Asha Verma"
    other_code = ("B" if cert["accessCode"][0] != "B" else "C") + cert["accessCode"][1:]
    nothing = {"valid": False, "learnerName": None, "courseTitle": None, "issuedAt": None}
    for wrong in (
        {"id": cert["id"], "code": other_code},
        {"id": "00000000-0000-4000-8000-000000000000", "code": cert["accessCode"]},
        {"id": "not-a-uuid", "code": "x"},
    ):
        answer = await client.graphql(verify, wrong)
        assert answer["data"]["verifyCertificate"] == nothing
    bad_page = await client.http.get(f"/passbook/verify/{cert['id']}?code={other_code}")
    assert bad_page.status_code == 404 and "Asha" not in bad_page.text
    assert (
        await client.http.get(f"/passbook/certificates/{cert['id']}.pdf?code={other_code}")
    ).status_code == 404

    passbook = await client.graphql(
        """{ me { passbook { learningHours karmaPoints certificates { id }
              entries { competency { id } evidence { channel contextId certificate { id } course { id } } } } } }""",
        as_learner=ASHA,
    )
    book = passbook["data"]["me"]["passbook"]
    tagged = {t["id"] for t in feed_course("office-procedure")["competencies"]}
    assert {e["competency"]["id"] for e in book["entries"]} == tagged
    for entry in book["entries"]:
        assert entry["evidence"] == [
            {
                "channel": "COURSE",
                "contextId": COURSE,
                "certificate": {"id": cert["id"]},
                "course": {"id": COURSE},
            }
        ]
    assert book["learningHours"] == round(feed_course("office-procedure")["durationMinutes"] / 60, 2)
    assert book["certificates"] == [{"id": cert["id"]}]
    # 5 first enrolment + 2 rating + 5 completion (not in a plan)
    assert book["karmaPoints"] == 12
