"""What a certificate's page and PDF show beyond the signed fields: the
institute, learning hours and the competencies (with levels) it evidences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from gateway.directory.models import CompetencyRow
from plugins.passbook.certificate_pdf import CertificateDetails
from plugins.passbook.models import EnrolmentRow, EvidenceRow

if TYPE_CHECKING:
    from gateway.host import Gateway
    from plugins.passbook.models import CertificateRow


async def details_of(gateway: Gateway, certificate: CertificateRow, issuer: str) -> CertificateDetails:
    async with gateway.db.sessionmaker() as session:
        enrolment = await session.get(EnrolmentRow, certificate.enrolment_id)
        rows = (
            await session.execute(
                select(CompetencyRow.theme, CompetencyRow.sub_theme, EvidenceRow.level)
                .join(CompetencyRow, CompetencyRow.id == EvidenceRow.competency_id)
                .where(EvidenceRow.certificate_id == certificate.id)
                .order_by(CompetencyRow.theme, CompetencyRow.sub_theme)
            )
        ).all()
    provider_id = enrolment.provider_id if enrolment is not None else certificate.course_id.split(":")[0]
    provider = gateway.providers.get(provider_id)
    return CertificateDetails(
        issuer=issuer,
        institute=provider.name if provider is not None else provider_id,
        learning_minutes=enrolment.duration_minutes if enrolment is not None else 0,
        competencies=[(f"{theme}: {sub}" if sub else theme, level) for theme, sub, level in rows],
    )
