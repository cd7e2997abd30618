"""Apollo Federation 2: how a type becomes an entity other subgraphs can extend.

Mark a type with ``@strawberry.federation.type(keys=["id"])`` and give it a
``resolve_reference`` made by :func:`entity_reference`::

    @strawberry.federation.type(keys=["id"])
    class Course(Node):
        ...
        resolve_reference = entity_reference(courses_by_id)

The router's ``_entities(representations: [...])`` then resolves each
representation through the request's DataLoader for ``batch``: however many
representations of one type a request carries, that is one load (one SQL
statement for a database-backed batch). A type with ``@key`` but no
``resolve_reference`` stops start-up (see :func:`missing_reference_resolvers`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

from strawberry.federation.schema_directives import Key

from schema.context import context_of

if TYPE_CHECKING:
    from strawberry import Info

    from schema.context import BatchFn, RequestView
    from schema.reads import Read

Authorise = Callable[["RequestView", Any, str], Awaitable[Any]]


def entity_reference(
    batch: Read[Any, Any] | BatchFn[Any, Any],
    *,
    key: str = "id",
    build: Callable[[Any], Any] | None = None,
    authorise: Authorise | None = None,
) -> Any:
    """A ``resolve_reference`` classmethod loading entities by ``key``.

    ``batch`` is a declared read (``schema.reads``) or a DataLoader batch
    function (``async (ctx, keys) -> rows``);
    ``build`` turns a row into the GraphQL object (default ``cls.from_row``);
    ``authorise(ctx, row, key)`` may raise a ``GatewayError`` (that entity comes
    back null with the error) or return the row to use. An unknown key gives a
    null entity, as the federation spec expects.
    """

    async def resolve_reference(cls: type, /, info: Info, **representation: Any) -> Any:
        ctx = context_of(info)
        value: Hashable = str(representation[key])
        row = await ctx.load(batch, value)
        if authorise is not None:
            row = await authorise(ctx, row, str(value))
        if row is None:
            return None
        return (build or cls.from_row)(row)  # type: ignore[attr-defined]

    return classmethod(resolve_reference)


def keys_of(cls: type) -> list[str]:
    """The ``@key`` field sets declared on a Strawberry type."""
    definition = getattr(cls, "__strawberry_definition__", None)
    directives = getattr(definition, "directives", None) or []
    return [str(d.fields) for d in directives if isinstance(d, Key)]


def missing_reference_resolvers(types: Iterable[tuple[str, type]]) -> list[str]:
    """``"Type (plugin)"`` for every entity type without ``resolve_reference``."""
    return [
        f"{cls.__strawberry_definition__.name} ({plugin})"  # type: ignore[attr-defined]
        for plugin, cls in types
        if keys_of(cls) and not hasattr(cls, "resolve_reference")
    ]
