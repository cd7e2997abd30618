"""Seeds the demo directory, then asks every plugin for its demo rows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from gateway.db.types import utcnow
from gateway.directory import demo_data as data
from gateway.directory.models import (
    CompetencyRow,
    DesignationCompetencyRow,
    LearnerRow,
    OrganisationRow,
    RoleGrantRow,
)
from gateway.directory.service import name_key
from gateway.plugins import call_all

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.host import Gateway

log = logging.getLogger("gateway.demo")


def demo_learner_id(slug: str) -> str:
    return f"learner:demo-{slug}"


def _organisations() -> list[OrganisationRow]:
    rows: dict[str, OrganisationRow] = {}
    for org_id, name, kind, parent_id, provider in data.ORGANISATIONS:
        parent = rows[parent_id] if parent_id else None
        rows[org_id] = OrganisationRow(
            id=org_id,
            name=name,
            type=kind,
            parent_id=parent_id,
            root_id=parent.root_id if parent else org_id,
            path=f"{parent.path if parent else '/'}{org_id}/",
            is_content_provider=provider,
            demo=True,
            created_at=utcnow(),
        )
    return list(rows.values())


async def seed_directory(session: AsyncSession) -> None:
    """Add the demo organisations, competencies, designations and learners."""
    orgs = _organisations()
    for org in orgs:  # parents before children, for the foreign key
        session.add(org)
        await session.flush()
    for area, theme, sub_theme, description in data.COMPETENCIES:
        session.add(
            CompetencyRow(
                id=data.competency_id(area, theme, sub_theme),
                area=area,
                theme=theme,
                sub_theme=sub_theme,
                description=description,
            )
        )
    await session.flush()
    for mapped_org, designation, needs in data.DESIGNATIONS:
        for area, theme, sub_theme, level in needs:
            session.add(
                DesignationCompetencyRow(
                    organisation_id=mapped_org,
                    designation=designation,
                    designation_key=name_key(designation),
                    competency_id=data.competency_id(area, theme, sub_theme),
                    level=level,
                )
            )
    for slug, name, email, mobile, learner_org, title, group, service, roles in data.LEARNERS:
        learner_id = demo_learner_id(slug)
        session.add(
            LearnerRow(
                id=learner_id,
                name=name,
                email=email,
                mobile=mobile,
                organisation_id=learner_org,
                designation=title,
                group=group,
                service=service,
                status="ACTIVE",
                demo=True,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        await session.flush()
        for role, role_org in roles:
            session.add(
                RoleGrantRow(
                    learner_id=learner_id,
                    role=role,
                    organisation_id=role_org,
                    organisation_key=role_org or "",
                    granted_at=utcnow(),
                    granted_by="demo",
                )
            )
    await session.flush()


async def load_demo(gateway: Gateway) -> None:
    """``karmayogi demo load``: the core directory, then each plugin's demo rows,
    in one transaction."""
    async with gateway.db.write_sessionmaker() as session, session.begin():
        if await session.scalar(select(func.count()).select_from(OrganisationRow)):
            raise RuntimeError("The database already holds organisations; demo data goes into an empty one.")
        await seed_directory(session)
        await call_all(gateway.pm.hook.load_demo_data(gateway=gateway, session=session))
    log.info("loaded demo data", extra={"note": data.DEMO_NOTE})


async def load_demo_if_empty(gateway: Gateway) -> bool:
    async with gateway.db.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(OrganisationRow))
    if count:
        return False
    await load_demo(gateway)
    return True
