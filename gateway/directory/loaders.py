"""Batch functions for the directory's DataLoaders (one SQL statement a batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from gateway.directory.models import (
    CompetencyRow,
    LearnerRow,
    OrganisationRow,
    RoleGrantRow,
    WorkExperienceRow,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import InstrumentedAttribute

    from gateway.context import RequestContext

Row = TypeVar("Row")


async def rows_by_key(
    ctx: RequestContext, model: type[Row], column: InstrumentedAttribute[Any], keys: list[str]
) -> Sequence[Row | None]:
    """One row per key (or ``None``), in the order of ``keys``: one SELECT ... IN."""
    async with ctx.db() as session:
        rows = (await session.scalars(select(model).where(column.in_(keys)))).all()
    found = {getattr(row, column.key): row for row in rows}
    return [found.get(key) for key in keys]


async def rows_grouped_by(
    ctx: RequestContext,
    model: type[Row],
    column: InstrumentedAttribute[Any],
    keys: list[str],
    *order_by: Any,
) -> Sequence[list[Row]]:
    """All rows per key (possibly none), in the order of ``keys``: one SELECT ... IN."""
    async with ctx.db() as session:
        rows = (await session.scalars(select(model).where(column.in_(keys)).order_by(*order_by))).all()
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, column.key)].append(row)
    return [grouped.get(key, []) for key in keys]


async def organisations_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[OrganisationRow | None]:
    return await rows_by_key(ctx, OrganisationRow, OrganisationRow.id, ids)


async def children_by_parent(ctx: RequestContext, parent_ids: list[str]) -> Sequence[list[OrganisationRow]]:
    return await rows_grouped_by(
        ctx, OrganisationRow, OrganisationRow.parent_id, parent_ids, OrganisationRow.name
    )


async def competencies_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[CompetencyRow | None]:
    return await rows_by_key(ctx, CompetencyRow, CompetencyRow.id, ids)


async def learners_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[LearnerRow | None]:
    return await rows_by_key(ctx, LearnerRow, LearnerRow.id, ids)


async def work_experience_by_learner(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[WorkExperienceRow]]:
    return await rows_grouped_by(
        ctx, WorkExperienceRow, WorkExperienceRow.learner_id, learner_ids, WorkExperienceRow.position
    )


async def grants_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[RoleGrantRow]]:
    return await rows_grouped_by(ctx, RoleGrantRow, RoleGrantRow.learner_id, learner_ids, RoleGrantRow.id)
