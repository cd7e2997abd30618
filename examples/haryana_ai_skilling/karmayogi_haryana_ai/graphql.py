"""``Learner.hrmsEmployeeCode`` and ``setHrmsEmployeeCode``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import strawberry
from sqlalchemy import select
from strawberry import Info

from gateway.api import LEARNERS_BY_ID, BadUserInput, Conflict, Forbidden, Learner, NotFound, context_of
from karmayogi_haryana_ai.models import HrmsCodeRow

if TYPE_CHECKING:
    from gateway.api import RequestView

NAME = "haryana_ai_skilling"
CODE = re.compile(r"^HR\d{6}$")


async def codes_by_learner(ctx: RequestView, learner_ids: list[str]) -> Sequence[str | None]:
    async with ctx.db() as session:
        rows = await session.scalars(select(HrmsCodeRow).where(HrmsCodeRow.learner_id.in_(learner_ids)))
        by_id = {row.learner_id: row.code for row in rows}
    return [by_id.get(i) for i in learner_ids]


async def hrms_employee_code(root: Learner, info: Info) -> str | None:
    ctx = context_of(info)
    if not await ctx.authz.can_view_learner(root.row):
        return None  # like email: the learner and their admins only
    code: str | None = await ctx.load(codes_by_learner, str(root.id))
    return code


async def set_hrms_employee_code(info: Info, learner_id: strawberry.ID, code: str) -> Learner:
    ctx = context_of(info)
    ctx.require_principal()
    code = code.strip().upper()
    if not CODE.match(code):
        raise BadUserInput("An HRMS employee code is HR followed by six digits, e.g. HR004512.", field="code")
    row = await ctx.load(LEARNERS_BY_ID, str(learner_id))
    if row is None or not await ctx.gateway.states.reaches_learner(ctx, NAME, row):
        raise NotFound(f"No Haryana learner {learner_id}.")
    if not (await ctx.authz.is_self(row.id) or await ctx.authz.can_admin_org(row.organisation_id)):
        raise Forbidden("Only the learner or an admin of their organisation may set the HRMS code.")
    principal = ctx.require_principal()
    async with ctx.write() as session:
        holder = await session.scalar(select(HrmsCodeRow.learner_id).where(HrmsCodeRow.code == code))
        if holder is not None and holder != row.id:
            raise Conflict(f"HRMS code {code} belongs to another learner.")
        existing = await session.get(HrmsCodeRow, row.id)
        if existing is None:
            session.add(HrmsCodeRow(learner_id=row.id, code=code, updated_by=principal.learner_id))
        else:
            existing.code = code
            existing.updated_by = principal.learner_id
    return Learner.from_row(row)


LEARNER_FIELDS = [
    strawberry.field(
        resolver=hrms_employee_code,
        name="hrmsEmployeeCode",
        description="Haryana HRMS employee code (Haryana learners only; null elsewhere).",
    )
]
MUTATION_FIELDS = [strawberry.mutation(resolver=set_hrms_employee_code, name="setHrmsEmployeeCode")]
