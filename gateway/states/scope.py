"""Per-state modules: a plugin whose contributions reach one state's officials.

A plugin declares itself a *state module* (hook ``register_state_module``);
the setting ``state_modules`` names, for each state (a root organisation id),
the state modules switched on there::

    [state_modules]
    "org:haryana" = ["haryana_ai_skilling"]

A state module's contributions reach only learners whose organisation lies in
the tree of a state that switched it on:

* fields it adds to ``Learner`` resolve to ``null`` for a learner outside
  those states; its other fields (``Query`` and fields on other types) resolve
  to ``null`` when the signed-in learner is outside them; its mutations and
  subscriptions are refused with ``FORBIDDEN``;
* its content providers' courses are hidden from ``courses`` and
  ``course(id)`` answers ``NOT_FOUND`` (the content plugin asks
  :meth:`StateScope.provider_reaches_principal`);
* its plan rules apply only to those learners (the plan asks
  :meth:`StateScope.reaches_learner`).

Taking a plugin out of a state's list switches it off there at the next start;
its tables and rows stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.directory.loaders import learners_by_id, organisations_by_id
from schema.errors import StartupError

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from gateway.db import Database
    from schema.reads import LearnerRecord


@dataclass(frozen=True)
class StateScope:
    """Which state modules are on in which states, and who they reach."""

    modules: frozenset[str] = frozenset()
    enabled: Mapping[str, frozenset[str]] = field(default_factory=dict)  # plugin -> state ids
    provider_owners: Mapping[str, str] = field(default_factory=dict)  # provider id -> plugin

    @classmethod
    def build(
        cls,
        modules: Iterable[str],
        settings: Mapping[str, list[str]],
        known_plugins: Iterable[str],
    ) -> StateScope:
        """Check ``state_modules`` against the plugins; stop start-up naming the key."""
        module_set = frozenset(modules)
        known = set(known_plugins)
        enabled: dict[str, set[str]] = {name: set() for name in module_set}
        for state_id, plugins in settings.items():
            for plugin in plugins:
                key = f"state_modules.{state_id!r}"
                if plugin not in known:
                    raise StartupError(
                        f"Setting {key} names plugin {plugin!r}, which is not installed or is "
                        "blocked. Install it, or remove it from the list."
                    )
                if plugin not in module_set:
                    raise StartupError(
                        f"Setting {key} names plugin {plugin!r}, which is not a state module "
                        "(it does not implement register_state_module); it already serves everyone."
                    )
                enabled[plugin].add(state_id)
        return cls(
            modules=module_set,
            enabled={name: frozenset(states) for name, states in enabled.items()},
        )

    def with_providers(self, owners: Mapping[str, str]) -> StateScope:
        return StateScope(modules=self.modules, enabled=self.enabled, provider_owners=dict(owners))

    def is_state_module(self, plugin: str) -> bool:
        return plugin in self.modules

    def states_of(self, plugin: str) -> frozenset[str]:
        """The states a state module is on in (empty: on nowhere)."""
        return self.enabled.get(plugin, frozenset())

    async def check_states(self, db: Database) -> None:
        """Every state named in ``state_modules`` must be a root organisation."""
        from sqlalchemy import select

        from gateway.directory.models import OrganisationRow

        named = set().union(*self.enabled.values()) if self.enabled else set()
        if not named:
            return
        async with db.sessionmaker() as session:
            roots = set(
                await session.scalars(
                    select(OrganisationRow.id).where(
                        OrganisationRow.id.in_(named), OrganisationRow.parent_id.is_(None)
                    )
                )
            )
        missing = sorted(named - roots)
        if missing:
            raise StartupError(
                f"Setting state_modules names {', '.join(missing)}, which is not a root "
                "organisation (a state or ministry at the top of the tree)."
            )

    # -- runtime ------------------------------------------------------------

    async def state_of_organisation(self, ctx: RequestContext, org_id: str | None) -> str | None:
        if org_id is None:
            return None
        org = await ctx.load(organisations_by_id, org_id)
        return org.root_id if org is not None else None

    async def state_of_learner(self, ctx: RequestContext, learner: LearnerRecord | None) -> str | None:
        return await self.state_of_organisation(ctx, learner.organisation_id if learner else None)

    async def principal_state(self, ctx: RequestContext) -> str | None:
        if ctx.principal is None:
            return None
        learner = await ctx.load(learners_by_id, ctx.principal.learner_id)
        return await self.state_of_learner(ctx, learner)

    async def reaches_learner(self, ctx: RequestContext, plugin: str, learner: LearnerRecord | None) -> bool:
        """Whether ``plugin``'s contributions apply to ``learner`` (plan rules, fields)."""
        if plugin not in self.modules:
            return True
        return await self.state_of_learner(ctx, learner) in self.states_of(plugin)

    async def reaches_principal(self, ctx: RequestContext, plugin: str) -> bool:
        """Whether ``plugin``'s contributions reach the signed-in learner."""
        if plugin not in self.modules:
            return True
        return await self.principal_state(ctx) in self.states_of(plugin)

    async def provider_reaches_principal(self, ctx: RequestContext, provider_id: str) -> bool:
        """Whether the signed-in learner may see ``provider_id``'s courses."""
        owner = self.provider_owners.get(provider_id)
        return owner is None or await self.reaches_principal(ctx, owner)

    async def course_reaches_principal(self, ctx: RequestContext, course_id: str) -> bool:
        """Whether the signed-in learner may see course ``course_id`` (by its provider)."""
        return await self.provider_reaches_principal(ctx, course_id.partition(":")[0])

    def describe(self) -> dict[str, Any]:
        """For ``/readyz`` and ``karmayogi plugins``: state module -> states it is on in."""
        return {name: sorted(self.states_of(name)) for name in sorted(self.modules)}
