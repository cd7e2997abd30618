"""Directory rules: profiles, organisation requests and their decisions."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.types import utcnow
from gateway.directory.models import (
    CompetencyRow,
    LearnerRow,
    OrganisationRequestRow,
    OrganisationRow,
    WorkExperienceRow,
)
from schema.errors import BadUserInput, Conflict, Forbidden, NotFound

MAX_NAME = 200
MAX_TEXT = 1000
MAX_SEARCH_RESULTS = 100
MAX_WORK_EXPERIENCE = 50
GROUPS = ("GROUP_A", "GROUP_B", "GROUP_C", "GROUP_D", "CONTRACTUAL", "OTHERS")


def clean_text(value: str | None, field: str, *, required: bool, limit: int = MAX_NAME) -> str | None:
    """Trim and bound a text input; blank counts as missing."""
    if value is None or not value.strip():
        if required:
            raise BadUserInput(f"{field} must not be blank.", field=field)
        return None
    value = " ".join(value.split())
    if len(value) > limit:
        raise BadUserInput(f"{field} is longer than {limit} characters.", field=field)
    return value


def name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def like_pattern(search: str) -> str:
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "org"


async def get_organisation(session: AsyncSession, org_id: str) -> OrganisationRow:
    row = await session.get(OrganisationRow, org_id)
    if row is None:
        raise NotFound(f"No organisation {org_id}.", field="organisationId")
    return row


async def search_organisations(
    session: AsyncSession, search: str | None, parent_id: str | None
) -> list[OrganisationRow]:
    """Top-level organisations by default; the children of ``parent_id``; or, with
    ``search``, matches anywhere in the tree by name (at most 100, by name)."""
    query = select(OrganisationRow)
    if parent_id is not None:
        await get_organisation(session, parent_id)
        query = query.where(OrganisationRow.parent_id == parent_id)
    text = clean_text(search, "search", required=False)
    if text is not None:
        query = query.where(func.lower(OrganisationRow.name).like(like_pattern(text), escape="\\"))
    elif parent_id is None:
        query = query.where(OrganisationRow.parent_id.is_(None))
    query = query.order_by(OrganisationRow.name).limit(MAX_SEARCH_RESULTS)
    return list((await session.scalars(query)).all())


async def search_competencies(
    session: AsyncSession, area: str | None, search: str | None
) -> list[CompetencyRow]:
    query = select(CompetencyRow)
    if area is not None:
        query = query.where(CompetencyRow.area == area)
    text = clean_text(search, "search", required=False)
    if text is not None:
        pattern = like_pattern(text)
        query = query.where(
            or_(
                func.lower(CompetencyRow.theme).like(pattern, escape="\\"),
                func.lower(CompetencyRow.sub_theme).like(pattern, escape="\\"),
                func.lower(CompetencyRow.description).like(pattern, escape="\\"),
            )
        )
    query = query.order_by(CompetencyRow.area, CompetencyRow.theme, CompetencyRow.sub_theme)
    return list((await session.scalars(query)).all())


@dataclass(frozen=True)
class WorkExperienceData:
    organisation_id: str | None
    designation: str
    from_date: dt.date
    to_date: dt.date | None


@dataclass(frozen=True)
class ProfileData:
    organisation_id: str
    designation: str
    group: str | None = None
    service: str | None = None
    cadre: str | None = None
    work_experience: list[WorkExperienceData] | None = None


async def complete_profile(session: AsyncSession, learner_id: str, data: ProfileData) -> LearnerRow:
    """Set the profile fields; every input is checked before anything is written."""
    learner = await session.get(LearnerRow, learner_id, with_for_update=True)
    if learner is None:
        raise NotFound("Your learner record no longer exists.")
    if learner.status == "DISABLED":
        raise Forbidden("This account is disabled.")
    await get_organisation(session, data.organisation_id)
    designation = clean_text(data.designation, "designation", required=True)
    service = clean_text(data.service, "service", required=False)
    cadre = clean_text(data.cadre, "cadre", required=False)
    if data.group is not None and data.group not in GROUPS:
        raise BadUserInput(f"Unknown group {data.group}.", field="group")
    experience: list[WorkExperienceRow] = []
    if data.work_experience is not None:
        if len(data.work_experience) > MAX_WORK_EXPERIENCE:
            raise BadUserInput(
                f"At most {MAX_WORK_EXPERIENCE} work experience entries.", field="workExperience"
            )
        for position, item in enumerate(data.work_experience):
            where = f"workExperience[{position}]"
            if item.organisation_id is not None:
                await get_organisation(session, item.organisation_id)
            if item.to_date is not None and item.to_date < item.from_date:
                raise BadUserInput(f"{where}: 'to' is before 'from'.", field=where)
            if item.from_date > dt.date.today():
                raise BadUserInput(f"{where}: 'from' is in the future.", field=where)
            experience.append(
                WorkExperienceRow(
                    learner_id=learner.id,
                    position=position,
                    organisation_id=item.organisation_id,
                    designation=clean_text(item.designation, f"{where}.designation", required=True),
                    from_date=item.from_date,
                    to_date=item.to_date,
                )
            )
    learner.organisation_id = data.organisation_id
    learner.designation = designation
    learner.group = data.group
    learner.service = service
    learner.cadre = cadre
    learner.updated_at = utcnow()
    if data.work_experience is not None:
        await session.execute(delete(WorkExperienceRow).where(WorkExperienceRow.learner_id == learner.id))
        session.add_all(experience)
    await session.flush()
    return learner


async def request_organisation(
    session: AsyncSession,
    requested_by: str | None,
    name: str,
    parent_id: str | None,
    note: str | None,
) -> OrganisationRequestRow:
    clean_name = clean_text(name, "name", required=True)
    assert clean_name is not None
    clean_note = clean_text(note, "note", required=False, limit=MAX_TEXT)
    if parent_id is not None:
        await get_organisation(session, parent_id)
    key = name_key(clean_name)
    parent_key = parent_id or ""
    existing_org = await session.scalar(
        select(OrganisationRow.id).where(
            func.lower(OrganisationRow.name) == clean_name.lower(),
            OrganisationRow.parent_id.is_(None)
            if parent_id is None
            else OrganisationRow.parent_id == parent_id,
        )
    )
    if existing_org is not None:
        raise Conflict(f"{clean_name} already exists: {existing_org}.", organisationId=existing_org)
    pending = await session.scalar(
        select(OrganisationRequestRow.id).where(
            OrganisationRequestRow.name_key == key,
            OrganisationRequestRow.parent_key == parent_key,
            OrganisationRequestRow.status == "PENDING",
        )
    )
    if pending is not None:
        raise Conflict(f"A request for {clean_name} is already pending: {pending}.", requestId=pending)
    row = OrganisationRequestRow(
        id=f"orgreq:{uuid.uuid4()}",
        name=clean_name,
        name_key=key,
        parent_id=parent_id,
        parent_key=parent_key,
        note=clean_note,
        status="PENDING",
        requested_by=requested_by,
        requested_at=utcnow(),
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request for the same name won
        raise Conflict(f"A request for {clean_name} is already pending.") from exc
    return row


def child_type(parent: OrganisationRow | None) -> str:
    return "MINISTRY" if parent is None else "DEPARTMENT"


async def decide_organisation_request(
    session: AsyncSession,
    request: OrganisationRequestRow,
    decided_by: str,
    approve: bool,
    reason: str | None,
) -> OrganisationRequestRow:
    """Approve (creating the organisation) or reject a pending request.
    The caller has checked the decider's right over the parent."""
    if request.status != "PENDING":
        raise Conflict(f"This request was already {request.status.lower()}.")
    clean_reason = clean_text(reason, "reason", required=not approve, limit=MAX_TEXT)
    now = utcnow()
    if approve:
        parent = await session.get(OrganisationRow, request.parent_id) if request.parent_id else None
        org_id = f"org:{slugify(request.name)}-{uuid.uuid4().hex[:6]}"
        path = f"{parent.path if parent else '/'}{org_id}/"
        session.add(
            OrganisationRow(
                id=org_id,
                name=request.name,
                type=child_type(parent),
                parent_id=request.parent_id,
                root_id=parent.root_id if parent else org_id,
                path=path,
                is_content_provider=False,
                created_at=now,
            )
        )
        request.organisation_id = org_id
    request.status = "APPROVED" if approve else "REJECTED"
    request.reason = clean_reason
    request.decided_at = now
    request.decided_by = decided_by
    await session.flush()
    return request
