"""The page a QR code opens: readable on a phone, in Hindi and English, with
a clear valid or not-valid state and what was certified."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from schema.scalars import IST

if TYPE_CHECKING:
    from plugins.passbook.certificate_pdf import CertificateDetails
    from plugins.passbook.models import CertificateRow

# The certificate's own Devanagari font, served by the gateway (phones without
# one, and networks without a font CDN, still show the Hindi text).
FONT_PATH = "/passbook/fonts/noto-sans-devanagari.ttf"

PAGE = """<!doctype html>
<html lang="hi-IN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
@font-face{{font-family:"Karmayogi Devanagari";src:url("{font}") format("truetype");
font-weight:100 900;unicode-range:U+0900-097F,U+1CD0-1CFF,U+A8E0-A8FF,U+200C-200D,U+25CC;font-display:swap}}
*{{box-sizing:border-box}}
body{{margin:0;font-family:"Karmayogi Devanagari",system-ui,sans-serif;background:#f3f5f9;
color:#1e2d50;font-size:17px;line-height:1.5}}
main{{max-width:34rem;margin:0 auto;padding:1rem}}
.state{{border-radius:12px;padding:1rem 1.1rem;color:#fff;margin:0 0 1rem}}
.valid{{background:#1d7a46}}.invalid{{background:#b3261e}}
.state h1{{margin:0;font-size:1.35rem}}.state p{{margin:.2rem 0 0}}
.card{{background:#fff;border-radius:12px;padding:1rem 1.1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}}
dl{{margin:0}}dt{{font-size:.8rem;color:#5a6780;margin-top:.7rem}}dd{{margin:0;font-weight:600;overflow-wrap:anywhere}}
footer{{font-size:.8rem;color:#5a6780;margin-top:1rem}}
</style></head>
<body><main>
{body}
<footer>{footer}</footer>
</main></body></html>"""


def _row(label_hi: str, label_en: str, value: str) -> str:
    return f"<dt>{label_hi} · {label_en}</dt><dd>{escape(value)}</dd>"


def valid_page(row: CertificateRow, details: CertificateDetails, demo: bool) -> str:
    issued = row.issued_at.astimezone(IST)
    hours = f"{details.learning_minutes / 60:.1f}".rstrip("0").rstrip(".")
    competencies = "; ".join(
        f"{name} ({level.title()})" if level else name for name, level in details.competencies
    )
    rows = [
        _row("नाम", "Name", row.learner_name),
        _row("पाठ्यक्रम", "Course", row.course_title),
        _row("संस्थान", "Institute", details.institute),
        _row("अधिगम घंटे", "Learning hours", hours),
        _row("जारी करने की तिथि", "Date of issue", f"{issued:%d %B %Y, %H:%M} IST"),
    ]
    if competencies:
        rows.append(_row("दक्षताएँ", "Competencies", competencies))
    rows += [
        _row("प्रमाणपत्र संख्या", "Certificate id", row.id),
        _row("जारीकर्ता", "Issued by", details.issuer),
    ]
    body = (
        '<section class="state valid" role="status"><h1>✔ मान्य प्रमाणपत्र · Valid certificate</h1>'
        "<p>यह प्रमाणपत्र असली है और इस पर किए गए हस्ताक्षर सही हैं।</p>"
        "<p>This certificate is genuine: its record and signature match.</p></section>"
        f'<section class="card"><dl>{"".join(rows)}</dl></section>'
    )
    footer = f"Ed25519 signature, key {escape(row.key_id)}."
    if demo:
        footer += " Demo data: not a real certificate."
    return PAGE.format(title="मान्य प्रमाणपत्र · Valid certificate", body=body, footer=footer, font=FONT_PATH)


def invalid_page() -> str:
    body = (
        '<section class="state invalid" role="status"><h1>✘ अमान्य · Not a valid certificate</h1>'
        "<p>इस संख्या और एक्सेस कोड से कोई प्रमाणपत्र नहीं मिला।</p>"
        "<p>No certificate matches this id and access code.</p></section>"
        '<section class="card"><p>QR कोड दोबारा स्कैन करें, या प्रमाणपत्र पर छपी संख्या और '
        "एक्सेस कोड जाँचें।</p><p>Scan the QR code again, or check the certificate id and "
        "access code printed on the certificate.</p></section>"
    )
    return PAGE.format(title="अमान्य प्रमाणपत्र · Not a valid certificate", body=body, footer="", font=FONT_PATH)
