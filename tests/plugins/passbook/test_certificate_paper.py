"""The certificate an official would accept (issue 14): bilingual, Devanagari
shaped (never ``?``), every signed field printed so the offline check of
docs/passbook.md works from the paper alone; links follow the served address
in development."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pypdfium2 as pdfium
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from gateway.testing import MakeGateway
from plugins.passbook.certificate_pdf import CertificateDetails, render
from plugins.passbook.models import CertificateRow

SIGNED = ("id", "accessCode", "learnerName", "courseId", "courseTitle", "issuedAt")
CERTIFICATES = """{ me { enrolments(first: 20) { edges { node { status
  certificate { id accessCode verifyUrl downloadUrl } } } } } }"""


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        text = page.get_textpage()
        try:
            return str(text.get_text_range())
        finally:
            text.close()
            page.close()
    finally:
        document.close()


def genuine(public_key_pem: str, fields: dict[str, str], signature: str) -> bool:
    """docs/passbook.md's offline check."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    key = load_pem_public_key(public_key_pem.encode())
    try:
        key.verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)), payload)  # type: ignore[union-attr, call-arg]
    except Exception:
        return False
    return True


async def test_the_paper_alone_proves_the_certificate(make_gateway: MakeGateway) -> None:
    client = await make_gateway(plugins={"passbook": {"demo_learning_records": True}})
    body = await client.graphql(CERTIFICATES, as_learner="learner:demo-asha")
    certificate = next(
        e["node"]["certificate"]
        for e in body["data"]["me"]["enrolments"]["edges"]
        if e["node"]["certificate"]
    )
    # public_url is not set: links follow the address the request came to.
    assert certificate["downloadUrl"].startswith("http://testserver/passbook/certificates/")
    assert certificate["verifyUrl"].startswith("http://testserver/passbook/verify/")
    pdf = await client.http.get(certificate["downloadUrl"])
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)

    printed = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    fields = {name: printed[name].strip() for name in SIGNED}
    assert fields["id"] == certificate["id"] and fields["accessCode"] == certificate["accessCode"]
    pem = (await client.http.get("/passbook/certificate-key.pem")).text
    assert genuine(pem, fields, printed["signature"].strip())
    assert not genuine(pem, {**fields, "learnerName": "Someone Else"}, printed["signature"].strip())
    for words in ("प्रमाणपत्र", "Certificate of Course Completion", "Institute of Secretariat Training"):
        assert words in text, words
    assert "Learning hours: 2.5" in text and "IST" in text and "(Proficient)" in text


def test_a_devanagari_name_is_shaped_not_replaced() -> None:
    row = CertificateRow(
        id="6f1c1a2e-0000-4000-8000-000000000001",
        enrolment_id="enrolment:x",
        learner_id="learner:x",
        course_id="istm:office-procedure",
        course_title="कार्यालय प्रक्रिया",
        learner_name="आशा वर्मा",
        access_code="A1B2C3",
        issued_at=dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC),
        key_id="k1",
        signature="s" * 86,
    )
    details = CertificateDetails(issuer="Karmayogi Bharat", institute="ISTM", learning_minutes=90)
    pdf = render(row, details=details, verify_url="http://x/v", public_key_url="http://x/k", demo=False)
    text = pdf_text(pdf)
    assert "?" not in text.replace("?code", "")
    assert "आशा वर्मा" in text
    assert b"NotoSansDevanagari" in pdf
