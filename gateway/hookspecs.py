"""Every extension point of the gateway, in one place.

Grammar of the names:

* ``register_*`` hooks run once, while the app is built (``create_app``) or, for
  ``register_commands``, while the CLI is built. They return declarations.
* ``*_from_request`` hooks run for every request.
* ``startup``, ``shutdown`` and ``load_demo_data`` are lifecycle hooks.

``register_*`` hooks run while the app is built, which is synchronous: they
must return their declarations, not an awaitable (an ``async def register_*``
stops start-up naming the plugin and the hook). Per-request and lifecycle
hooks may return a value or an awaitable; the gateway awaits it
(:func:`gateway.plugins.resolve`). Each plugin's answer is gathered once per
plugin, however many implementations it has. Implementations may accept fewer
arguments than the spec names, so arguments can be added later but never
removed. Everything is called with keyword arguments.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import HTTPConnection
    from starlette.routing import BaseRoute

    from schema.cache import CacheDependencies, FieldScopes
    from schema.context import GatewayView as Gateway
    from schema.context import ServiceKey
    from schema.contribution import MigrationLineage, NodeResolver, SchemaContribution
    from schema.identity import EndedSession, Principal
    from schema.passbook import PassbookBackend
    from schema.plan_rules import PlanRule
    from schema.providers import CollectionRecord, ContentProvider

PROJECT = "karmayogi_gateway"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_settings_model() -> type[BaseModel] | None:
    """Return the pydantic model that validates this plugin's settings section.

    Runs first, before any other hook. The section is ``[plugins.NAME]`` in the
    TOML file or ``KARMAYOGI_PLUGINS__NAME__KEY`` in the environment, where NAME is
    the plugin's registered name. The validated object is then available as
    ``gateway.plugin_settings(Model)`` (looked up by the model class). A section that does not validate stops
    start-up naming the plugin and the key.
    """


@hookspec
def register_migrations() -> MigrationLineage | None:
    """Return this plugin's Alembic lineage: its script folder and version table.

    ``karmayogi db upgrade`` applies every lineage in registration order;
    development applies pending ones at start-up, production refuses to start
    while any is pending.
    """


@hookspec
def register_schema(gateway: Gateway) -> SchemaContribution | None:
    """Return what this plugin adds to the learner graph.

    Runs once while the schema is composed: new types, Query, Mutation and
    Subscription fields, fields added to a type another plugin owns, and
    Strawberry extensions (classes or factories). Two plugins contributing the
    same type or the same field stop start-up with a message naming both.
    """


@hookspec
def register_node_resolvers(gateway: Gateway) -> Mapping[str, NodeResolver] | None:
    """Return ``{id_prefix: resolver}`` for the ``Node`` ids this plugin owns.

    ``node(id)`` splits the id at the first ``:`` and hands it to the resolver
    registered for that prefix; a resolver returns the object or ``None``.
    Content providers' course ids are routed to their provider automatically.
    """


@hookspec
def register_content_providers(gateway: Gateway) -> Iterable[ContentProvider] | None:
    """Return the content providers this plugin serves (see ``schema.providers``).

    Two providers with the same id stop start-up naming both plugins.
    """


@hookspec
def register_services(gateway: Gateway) -> Mapping[ServiceKey[Any], object] | None:
    """Return ``{KEY: implementation}`` for the services this plugin provides
    to others (keys and protocols in ``schema.services``).

    Other plugins ask ``gateway.service(KEY)``. Two plugins providing one key,
    or an implementation lacking a method of the key's protocol, stop start-up.
    """


@hookspec
def register_passbook_backend(gateway: Gateway) -> PassbookBackend | None:
    """Return the passbook backend, or ``None``.

    Exactly one plugin may return a backend; two stop start-up naming both, and
    so does a backend lacking a method of ``schema.passbook.PassbookBackend``.
    """


@hookspec
def register_state_module(gateway: Gateway) -> bool | None:
    """Return ``True`` if this plugin is a state module.

    A state module's contributions reach only learners whose organisation lies
    in the tree of a state that switches it on in the ``state_modules`` setting
    (``{"org:haryana": ["plugin_name"]}``); everywhere else its fields are
    null, its mutations refused, its providers' courses hidden and its plan
    rules skipped. See ``gateway/states`` and docs/plugins.md.
    """


@hookspec
def register_plan_rules(gateway: Gateway) -> Iterable[PlanRule] | None:
    """Return plan rules: courses due by a date for learners of an organisation's
    subtree (``schema.plan_rules.PlanRule``).

    Gathered once while the app is built (two rules with one id in one plugin
    stop start-up); a rule's ``due_date`` may be a function of today's date, so
    a date-based rule is evaluated on each use and never goes stale. The
    passbook's plan merges them with the plan items organisations store
    (``gateway.states.plans.plan_rules_for``); a state module's rules apply
    only in the states that switch it on.
    """


@hookspec
def register_cache_dependencies(
    gateway: Gateway,
) -> CacheDependencies | Mapping[str, FieldScopes] | None:
    """Declare what this plugin's fields depend on, for the answer cache.

    Return ``schema.cache.CacheDependencies(fields={"Type.field": scopes},
    tables={"table": scopes})`` (a plain mapping declares fields only). A
    field's scopes are names such as ``"learner"`` (the owning learner's
    records), ``"catalogue"``, ``"directory"``, ``"plans"``, or a function of
    the request context; a query selecting a field nobody declared is not
    cached. A table's scopes are bumped by every write to it (a ``learner_id``
    column also bumps that learner's scope; an undeclared table bumps
    ``global``). Two plugins declaring one key stop start-up naming both.
    See docs/caching.md.
    """


@hookspec
def register_routes(gateway: Gateway) -> Iterable[BaseRoute] | None:
    """Return extra Starlette routes (sign-in pages, webhooks, downloads).

    They are mounted beside ``/graphql`` before the app starts; the app is not
    changed after start-up.
    """


@hookspec
def register_commands(cli: typer.Typer) -> None:
    """Add commands or command groups to the ``karmayogi`` CLI."""


@hookspec
def principal_from_request(
    request: HTTPConnection, gateway: Gateway
) -> Principal | None | Awaitable[Principal | None]:
    """Return who is asking, or ``None`` if this identity source does not know.

    Runs for every request (HTTP or websocket). Implementations are asked in
    pluggy's order (plugins registered later first; ``tryfirst``/``trylast``
    move one) and the first non-``None`` answer wins; the rest are not awaited.
    Raising :class:`schema.errors.Unauthenticated` refuses the request.
    """


@hookspec
def session_ended(gateway: Gateway, session: EndedSession) -> None | Awaitable[None]:
    """Run after a gateway session was revoked by ``POST /auth/logout``.

    The session is already refused by every worker. ``session.source`` names
    the identity plugin that started it; that plugin may revoke the identity
    provider's token (``session.upstream_token``) there. Errors are logged,
    never shown to the person signing out.
    """


@hookspec
def startup(gateway: Gateway) -> None | Awaitable[None]:
    """Run once when the app starts, after the database is ready."""


@hookspec
def shutdown(gateway: Gateway) -> None | Awaitable[None]:
    """Run once when the app stops; release what ``startup`` acquired."""


@hookspec
def load_demo_data(gateway: Gateway, session: AsyncSession) -> None | Awaitable[None]:
    """Seed this plugin's demo rows in ``session`` (committed by the caller).

    Called by ``karmayogi demo load`` and, in development, at start-up on an
    empty database, after the core directory has been seeded.
    """


@hookspec
def register_collections(gateway: Gateway) -> Iterable[CollectionRecord] | None:
    """Return curated course collections this plugin contributes (state modules).

    Gathered once while the app is built: an id without the ``collection:``
    prefix, or an id two plugins both give, stops start-up naming both.
    Content providers' own collections come from ``ContentProvider.collections()``;
    this hook is for plugins that curate without serving courses, e.g. a
    state's training module. A collection is shown once its ``curated_by``
    organisation exists in the directory.
    """
