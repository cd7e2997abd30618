"""The certificate as a one-page bilingual (Hindi and English) PDF.

Text is set in Noto Sans Devanagari (it covers Latin too), installed with
the gateway from PyPI (``fontpkg-noto-sans-devanagari``), and shaped with
HarfBuzz (``uharfbuzz``), so conjuncts and vowel signs of Hindi names and
titles come out right instead of as ``?``. The page carries the issuing
institute, course, learning hours, competencies and levels, the date in IST,
the certificate id, a QR code to ``verifyUrl``, and every field the signature
covers, exactly as signed, so ``docs/passbook.md``'s offline check works from
the paper alone.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

from gateway.directory.demo_data import DEMO_NOTE
from schema.scalars import IST

if TYPE_CHECKING:
    from plugins.passbook.models import CertificateRow

FAMILY = "NotoSansDevanagari"
INK = (30, 45, 80)
ACCENT = (200, 110, 20)  # saffron rule


def font_file() -> Path:
    import fontpkg_noto_sans_devanagari as noto

    return Path(noto.ROOT) / "files" / "NotoSansDevanagari[wdth,wght].ttf"


@dataclass
class CertificateDetails:
    """What the page says beyond the signed fields."""

    issuer: str
    institute: str
    learning_minutes: int
    # (competency, level or None)
    competencies: list[tuple[str, str | None]] = field(default_factory=list)
    signatory: str = "Karmayogi Bharat"


def qr_png(url: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:.1f}".rstrip("0").rstrip(".")


def signed_lines(certificate: CertificateRow) -> list[tuple[str, str]]:
    """The signed fields as printed: (name in the signed JSON, exact value)."""
    issued_utc = certificate.issued_at.astimezone(dt.UTC)
    return [
        ("id", certificate.id),
        ("accessCode", certificate.access_code),
        ("learnerName", certificate.learner_name),
        ("courseId", certificate.course_id),
        ("courseTitle", certificate.course_title),
        ("issuedAt", issued_utc.strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]


class _Page(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(18, 14, 18)
        self.add_font(
            FAMILY,
            fname=str(font_file()),
            variations={"": {"wght": 400.0, "wdth": 100.0}, "B": {"wght": 700.0, "wdth": 100.0}},
        )
        self.set_text_shaping(use_shaping_engine=True, script="deva", language="hin")
        self.add_page()

    def line_of(
        self, text: str, size: float, *, bold: bool = False, height: float = 0, align: str = "C"
    ) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, height or size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")


def render(
    certificate: CertificateRow,
    *,
    details: CertificateDetails,
    verify_url: str,
    public_key_url: str,
    demo: bool,
) -> bytes:
    pdf = _Page()
    pdf.set_draw_color(*INK)
    pdf.set_line_width(1.0)
    pdf.rect(7, 7, 283, 196)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(*INK)

    pdf.set_y(16)
    pdf.line_of(details.issuer, 11)
    pdf.line_of("पाठ्यक्रम पूर्णता प्रमाणपत्र", 20, bold=True, height=11)
    pdf.line_of("Certificate of Course Completion", 18, bold=True, height=9)
    pdf.ln(2)
    pdf.line_of("प्रमाणित किया जाता है कि  ·  This is to certify that", 11)
    pdf.line_of(certificate.learner_name, 22, bold=True, height=12)
    pdf.line_of("ने निम्नलिखित पाठ्यक्रम सफलतापूर्वक पूरा किया है  ·  has successfully completed the course", 11)
    pdf.line_of(certificate.course_title, 16, bold=True, height=8)
    pdf.line_of(f"संस्थान / Institute: {details.institute}", 11)
    issued = certificate.issued_at.astimezone(IST)
    hours = _hours(details.learning_minutes)
    pdf.line_of(
        f"अधिगम घंटे / Learning hours: {hours}   ·   "
        f"जारी करने की तिथि / Date of issue: {issued:%d %B %Y, %H:%M} IST",
        11,
    )
    if details.competencies:
        named = "; ".join(
            f"{name} ({level.title()})" if level else name for name, level in details.competencies
        )
        pdf.line_of(f"दक्षताएँ / Competencies: {named}", 10, height=5.5)

    # Bottom: QR code on the left, the signed record on the right.
    top = 128
    pdf.image(io.BytesIO(qr_png(verify_url)), x=16, y=top, w=58, h=58)
    pdf.set_xy(16, top + 58)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.cell(58, 4, "स्कैन करके जाँचें · Scan to verify", align="C")

    pdf.set_xy(80, top)
    pdf.set_font(FAMILY, "B", 9)
    pdf.cell(0, 5, "हस्ताक्षरित विवरण · Signed record (Ed25519; docs/passbook.md, offline check)")
    pdf.set_font(FAMILY, "", 8.5)
    y = top + 5.5
    for name, value in signed_lines(certificate):
        pdf.set_xy(80, y)
        pdf.cell(0, 4.6, f"{name}: {value}")
        y += 4.6
    pdf.set_xy(80, y)
    pdf.cell(0, 4.6, f"keyId: {certificate.key_id}")
    y += 4.6
    pdf.set_xy(80, y)
    pdf.cell(0, 4.6, f"signature: {certificate.signature}")
    y += 4.6
    pdf.set_xy(80, y)
    pdf.cell(0, 4.6, f"publicKey: {public_key_url}")
    y += 4.6
    pdf.set_xy(80, y)
    pdf.cell(0, 4.6, f"verify: {verify_url}")
    y += 6
    pdf.set_xy(80, y)
    pdf.set_font(FAMILY, "B", 9)
    pdf.cell(0, 5, f"डिजिटल हस्ताक्षरकर्ता / Digitally signed by: {details.signatory}")
    if demo:
        pdf.set_xy(80, y + 6)
        pdf.set_font(FAMILY, "", 7.5)
        pdf.multi_cell(190, 3.8, DEMO_NOTE, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
