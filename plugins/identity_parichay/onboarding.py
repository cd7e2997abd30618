"""Onboarding mobile numbers for Jan Parichay: one by one (a mutation for
organisation admins) or from a CSV file (``karmayogi learners onboard``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import Info

from gateway.context import context_of
from gateway.db.types import utcnow
from gateway.directory.models import OrganisationRow
from plugins.identity_parichay.models import OnboardedMobileRow
from schema.directory import Organisation, organisation_or_none
from schema.errors import BadUserInput, Conflict, NotFound
from schema.identity import normalise_mobile

MAX_CSV_ROWS = 50_000


@dataclass(frozen=True)
class OnboardingLine:
    mobile: str
    organisation_id: str
    name: str | None
    line: int = 0  # its line in a CSV file (0: not from a file)


async def onboard(session: AsyncSession, line: OnboardingLine, onboarded_by: str) -> OnboardedMobileRow:
    """Record one onboarded mobile. The same number again for the same
    organisation changes nothing; for another organisation it is a conflict."""
    mobile = normalise_mobile(line.mobile)
    if mobile is None:
        raise BadUserInput(
            f"{line.mobile!r} is not an Indian mobile number (10 digits, starting 6-9).",
            field="mobile",
        )
    if await session.get(OrganisationRow, line.organisation_id) is None:
        raise NotFound(f"No organisation {line.organisation_id}.", field="organisationId")
    existing = await session.get(OnboardedMobileRow, mobile, with_for_update=True)
    name = " ".join((line.name or "").split())[:200] or None
    if existing is not None:
        if existing.organisation_id != line.organisation_id:
            raise Conflict(
                f"Mobile ******{mobile[-4:]} is already onboarded by another organisation.",
                field="mobile",
            )
        if name and existing.name and name.casefold() != existing.name.casefold():
            # One number is one person: never quietly answer with someone else's record.
            raise Conflict(
                f"Mobile ******{mobile[-4:]} is already onboarded for {existing.name}; check the "
                "number, or ask an admin to correct the first onboarding.",
                field="mobile",
            )
        return existing
    row = OnboardedMobileRow(
        mobile=mobile,
        organisation_id=line.organisation_id,
        name=name,
        onboarded_by=onboarded_by,
        onboarded_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def onboarded(session: AsyncSession, mobile: str) -> OnboardedMobileRow | None:
    return await session.scalar(select(OnboardedMobileRow).where(OnboardedMobileRow.mobile == mobile))


def parse_csv(text: str) -> tuple[list[OnboardingLine], list[tuple[int, str]]]:
    """Rows of ``mobile,organisation_id[,name]`` with that header: the good
    lines, and every problem of every bad line (by line number). A missing
    header or too many rows refuses the whole file (``BadUserInput``)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "mobile" not in header or "organisation_id" not in header:
        raise BadUserInput("The CSV needs a header row with mobile,organisation_id[,name].")
    lines: list[OnboardingLine] = []
    problems: list[tuple[int, str]] = []
    for record in reader:
        number = reader.line_num  # physical line, quoted newlines included
        if len(lines) + len(problems) >= MAX_CSV_ROWS:
            raise BadUserInput(f"At most {MAX_CSV_ROWS} rows per file.")
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k}
        if not any(record.values()):
            continue
        found = []
        if normalise_mobile(record.get("mobile")) is None:
            found.append(f"{record.get('mobile')!r} is not a mobile number")
        if not record.get("organisation_id"):
            found.append("organisation_id is empty")
        if found:
            problems.append((number, f"line {number}: " + "; ".join(found)))
            continue
        lines.append(
            OnboardingLine(record["mobile"], record["organisation_id"], record.get("name") or None, number)
        )
    return lines, problems


@strawberry.type(description="A mobile number onboarded for Jan Parichay sign-in.")
class OnboardedMobile:
    mobile: str
    name: str | None
    onboarded_at: dt.datetime
    organisation_id: strawberry.Private[str]

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation | None:
        return await organisation_or_none(info, self.organisation_id)


async def onboard_mobile(
    info: Info, organisation_id: strawberry.ID, mobile: str, name: str | None = None
) -> OnboardedMobile:
    """Admins of the organisation (or above it): let this mobile number sign in
    through Jan Parichay as a learner of the organisation."""
    ctx = context_of(info)
    principal = ctx.require_principal()
    await ctx.authz.require_org_admin(str(organisation_id), "onboard learners")
    async with ctx.write() as session:
        row = await onboard(session, OnboardingLine(mobile, str(organisation_id), name), principal.learner_id)
    return OnboardedMobile(
        mobile=row.mobile,
        name=row.name,
        onboarded_at=row.onboarded_at,
        organisation_id=row.organisation_id,
    )
