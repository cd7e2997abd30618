"""Batch functions for the directory's DataLoaders: one SQL statement a batch,
built once and run as a lean read (:mod:`gateway.db.reads`); rows are the
named tuples of :mod:`gateway.directory.records`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gateway.db.reads import by_key, grouped_by, keyed
from gateway.directory import records
from gateway.directory.models import (
    CompetencyRow,
    LearnerRow,
    OrganisationRow,
    RoleGrantRow,
    WorkExperienceRow,
)

if TYPE_CHECKING:
    from gateway.context import RequestContext

ORGANISATIONS = keyed(records.Organisation, OrganisationRow, "id")
CHILDREN = keyed(records.Organisation, OrganisationRow, "parent_id", OrganisationRow.name)
COMPETENCIES = keyed(records.Competency, CompetencyRow, "id")
LEARNERS = keyed(records.Learner, LearnerRow, "id")
WORK_EXPERIENCE = keyed(records.WorkExperience, WorkExperienceRow, "learner_id", WorkExperienceRow.position)
GRANTS = keyed(records.RoleGrant, RoleGrantRow, "learner_id", RoleGrantRow.id)


async def organisations_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[records.Organisation | None]:
    return await by_key(ctx, ORGANISATIONS, ids)


async def children_by_parent(
    ctx: RequestContext, parent_ids: list[str]
) -> Sequence[list[records.Organisation]]:
    return await grouped_by(ctx, CHILDREN, parent_ids)


async def competencies_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[records.Competency | None]:
    return await by_key(ctx, COMPETENCIES, ids)


async def learners_by_id(ctx: RequestContext, ids: list[str]) -> Sequence[records.Learner | None]:
    return await by_key(ctx, LEARNERS, ids)


async def work_experience_by_learner(
    ctx: RequestContext, learner_ids: list[str]
) -> Sequence[list[records.WorkExperience]]:
    return await grouped_by(ctx, WORK_EXPERIENCE, learner_ids)


async def grants_by_learner(ctx: RequestContext, learner_ids: list[str]) -> Sequence[list[records.RoleGrant]]:
    return await grouped_by(ctx, GRANTS, learner_ids)
