"""What a plugin declares to the host: schema parts, migrations, node ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strawberry.extensions import SchemaExtension
    from strawberry.types.field import StrawberryField


NodeResolver = Callable[[Any, str], Awaitable[Any]]
"""``async (context, id) -> object | None`` for ids with a given prefix (``context``
is the request's ``schema.context.RequestView``)."""


@dataclass(frozen=True)
class SchemaContribution:
    """A plugin's part of the learner graph.

    ``types``: Strawberry types this plugin owns (also those only reachable
    through its fields). ``query``, ``mutation`` and ``subscription``: root
    fields, made with ``strawberry.field(resolver=...)`` or
    ``strawberry.subscription(...)``. ``type_fields``: fields added to a type
    owned elsewhere, keyed by its GraphQL name (``{"Learner": [passbook]}``).
    ``extensions``: Strawberry schema extensions, as classes or factories.
    ``schema_transforms``: functions ``(strawberry_schema, graphql_schema) ->
    graphql_schema`` applied, in plugin order, after the Strawberry schema is
    built (remote subgraphs add their types and fields this way); each must
    keep every existing type and field, and may raise ``StartupError``.
    """

    types: Sequence[type] = ()
    query: Sequence[StrawberryField] = ()
    mutation: Sequence[StrawberryField] = ()
    subscription: Sequence[StrawberryField] = ()
    type_fields: Mapping[str, Sequence[StrawberryField]] = field(default_factory=dict)
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = ()
    schema_transforms: Sequence[Callable[[Any, Any], Any]] = ()


@dataclass(frozen=True)
class MigrationLineage:
    """One plugin's Alembic lineage: a folder of revisions and its version table."""

    script_location: Path
    version_table: str
    metadata: Any = None  # the plugin's SQLAlchemy MetaData, to compare models and migrations
