"""Batch functions for the directory's DataLoaders (one SQL statement a batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from gateway.directory.models import (
    CompetencyRow,
    LearnerRow,
    OrganisationRow,
    RoleGrantRow,
    WorkExperienceRow,
)

if TYPE_CHECKING:
    from gateway.context import RequestContext


async def organisations_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[OrganisationRow | None]:
    async with ctx.db() as session:
        rows = (await session.scalars(select(OrganisationRow).where(OrganisationRow.id.in_(ids)))).all()
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]


async def children_by_parent(ctx: RequestContext, parent_ids: list[str]) -> Sequence[list[OrganisationRow]]:
    async with ctx.db() as session:
        rows = (
            await session.scalars(
                select(OrganisationRow)
                .where(OrganisationRow.parent_id.in_(parent_ids))
                .order_by(OrganisationRow.name)
            )
        ).all()
    grouped: dict[str, list[OrganisationRow]] = defaultdict(list)
    for row in rows:
        assert row.parent_id is not None
        grouped[row.parent_id].append(row)
    return [grouped.get(i, []) for i in parent_ids]


async def competencies_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[CompetencyRow | None]:
    async with ctx.db() as session:
        rows = (await session.scalars(select(CompetencyRow).where(CompetencyRow.id.in_(ids)))).all()
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]


async def learners_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[LearnerRow | None]:
    async with ctx.db() as session:
        rows = (await session.scalars(select(LearnerRow).where(LearnerRow.id.in_(ids)))).all()
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]


async def work_experience_by_learner(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[WorkExperienceRow]]:
    async with ctx.db() as session:
        rows = (
            await session.scalars(
                select(WorkExperienceRow)
                .where(WorkExperienceRow.learner_id.in_(learner_ids))
                .order_by(WorkExperienceRow.position)
            )
        ).all()
    grouped: dict[str, list[WorkExperienceRow]] = defaultdict(list)
    for row in rows:
        grouped[row.learner_id].append(row)
    return [grouped.get(i, []) for i in learner_ids]


async def grants_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[RoleGrantRow]]:
    async with ctx.db() as session:
        rows = (
            await session.scalars(select(RoleGrantRow).where(RoleGrantRow.learner_id.in_(learner_ids)))
        ).all()
    grouped: dict[str, list[RoleGrantRow]] = defaultdict(list)
    for row in rows:
        grouped[row.learner_id].append(row)
    return [grouped.get(i, []) for i in learner_ids]
