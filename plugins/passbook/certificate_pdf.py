"""The certificate as a one-page PDF, with a QR code that opens ``verifyUrl``."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

from gateway.directory.demo_data import DEMO_NOTE
from schema.scalars import IST

if TYPE_CHECKING:
    from plugins.passbook.models import CertificateRow


def qr_png(url: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _latin(text: str) -> str:
    """The built-in PDF fonts cover Latin-1 only; other characters become '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def render(
    certificate: CertificateRow, *, verify_url: str, issuer: str, public_key_url: str, demo: bool
) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_font("Helvetica", "B", 26)
    pdf.set_y(28)
    pdf.cell(0, 12, "Certificate of Completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(0, 10, _latin(issuer), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 8, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 14, _latin(certificate.learner_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 8, "has completed the course", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, _latin(certificate.course_title), align="C", new_x="LMARGIN", new_y="NEXT")
    issued = certificate.issued_at.astimezone(IST)
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 8, f"on {issued:%d %B %Y} ({issued:%H:%M} IST)", align="C", new_x="LMARGIN", new_y="NEXT")
    # The QR code and what a verifier needs, bottom left and right.
    pdf.image(io.BytesIO(qr_png(verify_url)), x=20, y=135, w=55, h=55)
    pdf.set_xy(85, 140)
    pdf.set_font("Helvetica", "", 10)
    lines = [
        f"Certificate id: {certificate.id}",
        f"Access code: {certificate.access_code}",
        f"Verify: {verify_url}",
        f"Ed25519 signature (key {certificate.key_id}):",
        certificate.signature,
        f"Public key: {public_key_url}",
    ]
    for line in lines:
        pdf.set_x(85)
        pdf.multi_cell(190, 6, _latin(line), new_x="LMARGIN", new_y="NEXT")
    if demo:
        pdf.set_xy(85, 186)
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(190, 5, _latin(DEMO_NOTE), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
