"""Scopes the fields a state module contributes to the states it is on in."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.base import StrawberryOptional

from gateway.context import context_of
from schema.contribution import SchemaContribution
from schema.errors import Forbidden, StartupError

if TYPE_CHECKING:
    from strawberry import Info
    from strawberry.extensions.field_extension import AsyncExtensionResolver
    from strawberry.types.field import StrawberryField

    from gateway.states.scope import StateScope


class StateScoped(FieldExtension):
    """Resolves to ``null`` (or refuses, for mutations) outside the module's states.

    ``subject="learner"``: decided by the parent ``Learner``'s organisation;
    ``subject="principal"``: by the signed-in learner's.
    """

    def __init__(self, scope: StateScope, plugin: str, *, subject: str, refuse: bool) -> None:
        super().__init__()
        self.scope = scope
        self.plugin = plugin
        self.subject = subject
        self.refuse = refuse

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        ctx = context_of(info)
        if self.subject == "learner":
            reaches = await self.scope.reaches_learner(ctx, self.plugin, getattr(source, "row", None))
        else:
            reaches = await self.scope.reaches_principal(ctx, self.plugin)
        if not reaches:
            if self.refuse:
                raise Forbidden(f"{self.plugin} is not switched on for your state.")
            return None
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


def _scoped(
    fields: Sequence[StrawberryField],
    scope: StateScope,
    plugin: str,
    where: str,
    *,
    subject: str,
    refuse: bool,
) -> list[StrawberryField]:
    out = []
    for original in fields:
        if not refuse and not isinstance(original.type, StrawberryOptional):
            raise StartupError(
                f"State module {plugin!r} adds {where}.{original.python_name} as non-null; fields "
                "of a state module must be nullable (they are null outside its states)."
            )
        scoped = copy.copy(original)  # the plugin's field object is shared by every app
        scoped.extensions = [*original.extensions, StateScoped(scope, plugin, subject=subject, refuse=refuse)]
        out.append(scoped)
    return out


def scope_contribution(scope: StateScope, plugin: str, contribution: Any) -> Any:
    """``contribution`` with its fields scoped, when ``plugin`` is a state module."""
    if not scope.is_state_module(plugin) or not isinstance(contribution, SchemaContribution):
        return contribution
    if contribution.subscription:
        raise StartupError(
            f"State module {plugin!r} contributes subscriptions, which cannot be scoped to "
            "states yet; contribute them from a plugin that serves everyone."
        )
    type_fields = {
        type_name: _scoped(
            fields,
            scope,
            plugin,
            type_name,
            subject="learner" if type_name == "Learner" else "principal",
            refuse=False,
        )
        for type_name, fields in contribution.type_fields.items()
    }
    return SchemaContribution(
        types=contribution.types,
        query=_scoped(contribution.query, scope, plugin, "Query", subject="principal", refuse=False),
        mutation=_scoped(contribution.mutation, scope, plugin, "Mutation", subject="principal", refuse=True),
        subscription=(),
        type_fields=type_fields,
        extensions=contribution.extensions,
    )
