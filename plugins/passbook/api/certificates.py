"""``Certificate`` and the public ``CertificateVerification``."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import select
from strawberry import Info

from gateway.catalogue.loaders import courses_by_id
from gateway.context import context_of
from plugins.passbook import signing
from plugins.passbook.models import CertificateRow
from plugins.passbook.rows import CertificateLike
from plugins.passbook.runtime import runtime_of
from schema.common import Node
from schema.content import Course
from schema.errors import NotFound

if TYPE_CHECKING:
    from gateway.host import Gateway


@strawberry.type
class Certificate(Node):
    id: strawberry.ID
    access_code: str = strawberry.field(description="Six characters, letter-digit alternating: A1B2C3.")
    learner_name: str
    issued_at: dt.datetime
    signature: str = strawberry.field(
        description=(
            "Ed25519 signature (base64url) over signedPayload; check it offline with the key "
            "served at /passbook/certificate-key.pem."
        )
    )
    key_id: str = strawberry.field(description="Fingerprint of the key that signed this certificate.")
    row: strawberry.Private[CertificateLike]

    @classmethod
    def maybe(cls, row: CertificateLike | None) -> Certificate | None:
        return cls.from_row(row) if row is not None else None

    @classmethod
    def from_row(cls, row: CertificateLike) -> Certificate:
        return cls(
            id=strawberry.ID(row.id),
            access_code=row.access_code,
            learner_name=row.learner_name,
            issued_at=row.issued_at,
            signature=row.signature,
            key_id=row.key_id,
            row=row,
        )

    @strawberry.field
    async def course(self, info: Info) -> Course:
        record = await context_of(info).load(courses_by_id, self.row.course_id)
        if record is None:
            raise NotFound(f"The course {self.row.course_id} is not in the catalogue right now.")
        return Course.of(record)

    @strawberry.field
    def verify_url(self, info: Info) -> str:
        ctx = context_of(info)
        return runtime_of(ctx.gateway).verify_url(self.row.id, self.row.access_code, served_at(ctx.request))

    @strawberry.field(description="PDF with a QR code that opens verifyUrl.")
    def download_url(self, info: Info) -> str:
        ctx = context_of(info)
        return runtime_of(ctx.gateway).download_url(self.row.id, self.row.access_code, served_at(ctx.request))

    @strawberry.field(description="The exact bytes (UTF-8 JSON) the signature covers.")
    def signed_payload(self) -> str:
        return payload_of(self.row).decode()


def served_at(request: Any) -> str | None:
    """The scheme, host and port the request came to (links follow it in development)."""
    if request is None:
        return None
    return f"{request.url.scheme}://{request.url.netloc}"


def payload_of(row: CertificateLike) -> bytes:
    return signing.signed_payload(
        certificate_id=row.id,
        access_code=row.access_code,
        learner_name=row.learner_name,
        course_id=row.course_id,
        course_title=row.course_title,
        issued_at=row.issued_at,
    )


@strawberry.type
class CertificateVerification:
    valid: bool
    learner_name: str | None = None
    course_title: str | None = None
    issued_at: dt.datetime | None = None


async def find_valid_certificate(
    gateway: Gateway, certificate_id: str, access_code: str
) -> CertificateRow | None:
    """The certificate if the id and code match and its signature checks out;
    ``None`` otherwise, without saying which part was wrong."""
    try:
        uuid.UUID(certificate_id)
    except ValueError:
        return None
    async with gateway.db.sessionmaker() as session:
        row = await session.scalar(select(CertificateRow).where(CertificateRow.id == certificate_id.lower()))
    expected = row.access_code if row is not None else "A0A0A0"
    code_ok = hmac.compare_digest(expected.encode(), access_code.strip().upper().encode())
    if row is None or not code_ok:
        return None
    if not runtime_of(gateway).signer.verify(payload_of(row), row.signature):
        return None
    return row


async def verify_certificate(info: Info, id: strawberry.ID, access_code: str) -> CertificateVerification:
    """Works without signing in. A wrong id or code answers ``valid: false``."""
    row = await find_valid_certificate(context_of(info).gateway, str(id), access_code)
    if row is None:
        return CertificateVerification(valid=False)
    return CertificateVerification(
        valid=True, learner_name=row.learner_name, course_title=row.course_title, issued_at=row.issued_at
    )
