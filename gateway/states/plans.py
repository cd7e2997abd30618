"""Plan rules contributed by plugins, scoped like every state module contribution.

The passbook's plan merges these with the plan items organisations store:
``await plan_rules_for(ctx, learner_row)`` gives the rules that apply to one
learner (organisation subtree and designation match, and the contributing
plugin reaches the learner's state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.directory.loaders import organisations_by_id
from gateway.directory.service import name_key
from schema.plan_rules import PlanRule

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from schema.reads import LearnerRecord


async def plan_rules_for(ctx: RequestContext, learner: LearnerRecord) -> list[tuple[str, PlanRule]]:
    """The rules (with their plugin) that apply to ``learner``."""
    rules = ctx.gateway.plan_rules
    if not rules or learner.organisation_id is None:
        return []
    org = await ctx.load(organisations_by_id, learner.organisation_id)
    if org is None:
        return []
    ancestors = {part for part in org.path.split("/") if part}
    designation = name_key(learner.designation or "")
    applying = []
    for plugin, rule in rules:
        if rule.organisation_id not in ancestors:
            continue
        if rule.designation is not None and name_key(rule.designation) != designation:
            continue
        if not await ctx.gateway.states.reaches_learner(ctx, plugin, learner):
            continue
        applying.append((plugin, rule))
    return applying
