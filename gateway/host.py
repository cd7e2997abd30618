"""The ``Gateway``: settings, plugins, database and schema of one app instance."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from starlette.routing import BaseRoute

from gateway import gather
from gateway.answers.builtin import kernel as kernel_cache
from gateway.answers.versions import install as track_writes
from gateway.answers.versions import table_rules
from gateway.composition import ComposedSchema, Composition, compose
from gateway.db import Database
from gateway.db import migrations as migration_runner
from gateway.plugins import PluginHost, build_plugin_host, call_all
from gateway.security import lifecycle as security_lifecycle
from gateway.settings import GatewaySettings
from gateway.states import StateScope, scope_contribution
from schema.cache import CacheDependencies
from schema.context import ServiceKey, State
from schema.contribution import MigrationLineage, NodeResolver
from schema.errors import StartupError

if TYPE_CHECKING:
    from gateway.context import BatchFn, RequestContext
    from schema.passbook import PassbookBackend
    from schema.plan_rules import PlanRule
    from schema.providers import CollectionRecord, ContentProvider
    from schema.reads import Read

log = logging.getLogger("gateway")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
_warned_by_name: set[str] = set()


def kernel_lineages() -> list[tuple[str, MigrationLineage]]:
    """The kernel's own tables: the directory store, the abuse controls and the
    answer cache's scope versions."""
    from gateway.answers.models import AnswersBase
    from gateway.directory.models import CoreBase
    from gateway.security.models import SecurityBase

    root = Path(__file__).parent
    return [
        (
            "core",
            MigrationLineage(root / "directory" / "migrations", "alembic_version_core", CoreBase.metadata),
        ),
        (
            "security",
            MigrationLineage(
                root / "security" / "migrations", "alembic_version_security", SecurityBase.metadata
            ),
        ),
        (
            "answers",
            MigrationLineage(
                root / "answers" / "migrations", "alembic_version_answers", AnswersBase.metadata
            ),
        ),
    ]


class Gateway:
    """Everything one app instance is made of. Built once by :func:`build_gateway`
    and not changed after start-up; passed to hooks as ``gateway``
    (:class:`schema.context.GatewayView`)."""

    def __init__(self, settings: GatewaySettings, plugins: PluginHost) -> None:
        from gateway.reads import kernel_reads

        self.settings = settings
        self.plugins = plugins
        self.pm = plugins.pm
        self.state = State()  # runtime state, keyed by typed StateKey objects
        self._settings_by_name, self._settings_by_model = gather.plugin_settings(plugins, settings.plugins)
        self._refuse_development_defaults()
        self.db = Database(
            settings.database_url.get_secret_value(),
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            echo=settings.database_echo,
            pre_ping=settings.database_pre_ping,
            read_url=settings.database_read_url.get_secret_value() if settings.database_read_url else None,
        )
        self.reads: dict[Read[Any, Any], BatchFn[Any, Any]] = kernel_reads()
        self.lineages: list[tuple[str, MigrationLineage]] = gather.lineages(
            kernel_lineages() + plugins.call_each("register_migrations")
        )
        self.providers: dict[str, ContentProvider]
        self.provider_owners: dict[str, str]  # provider id -> plugin
        self.providers, self.provider_owners = gather.providers(plugins, self)
        self.services: dict[ServiceKey[Any], object] = gather.services(plugins, self)
        self.states: StateScope = self._gather_state_modules()
        self.passbook: PassbookBackend | None = gather.passbook(plugins, self)
        self.collections: list[CollectionRecord]
        self.collection_owners: dict[str, str]  # collection id -> plugin, for state modules' scope
        self.collections, self.collection_owners = gather.collections(plugins, self)
        self.plan_rules: list[tuple[str, PlanRule]] = gather.plan_rules(plugins, self)
        self.node_resolvers: dict[str, NodeResolver] = gather.node_resolvers(
            plugins, self, set(self.providers)
        )
        self.schema, self.composition = self._compose()
        self.cache_dependencies: CacheDependencies = gather.cache_dependencies(
            plugins, self, kernel_cache(settings.answer_cache.catalogue_max_age_seconds)
        )
        track_writes(self.db, table_rules([self.cache_dependencies.tables]))
        self.routes: list[BaseRoute] = self._gather_routes()

    # -- start-up declarations -------------------------------------------------

    def _refuse_development_defaults(self) -> None:
        """In production, stop on any development default, core's or a plugin's
        (a plugin settings model may define ``production_problems()``)."""
        if not self.settings.is_production:
            return
        problems = self.settings.production_problems()
        for name, section in self._settings_by_name.items():
            check = getattr(section, "production_problems", None)
            if check is not None:
                problems.extend(f"plugins.{name}.{line}" for line in check())
        if problems:
            raise StartupError("Production refuses development defaults:\n  " + "\n  ".join(problems))

    def plugin_settings(self, model: type[M]) -> M:
        """The validated settings of the plugin that registered ``model``.

        Passing the plugin's name (a string) still works for one release and
        warns once; pass the settings model class instead.
        """
        if isinstance(model, str):
            if model not in _warned_by_name:
                _warned_by_name.add(model)
                warnings.warn(
                    f"gateway.plugin_settings({model!r}) by name is deprecated; pass the plugin's "
                    "settings model class (docs/plugins.md, release notes).",
                    DeprecationWarning,
                    stacklevel=2,
                )
            return self._settings_by_name[model]
        try:
            return self._settings_by_model[model]  # type: ignore[return-value]
        except KeyError:
            raise StartupError(f"No enabled plugin registers the settings model {model.__name__}.") from None

    def service(self, key: ServiceKey[T]) -> T:
        """The service ``key`` (``schema.services``) an enabled plugin provides."""
        found = self.services.get(key)
        if found is None:
            raise StartupError(
                f"No enabled plugin provides the {key.name!r} service; enable the plugin that does "
                "(docs/plugins.md, register_services)."
            )
        return found  # type: ignore[return-value]

    def optional_service(self, key: ServiceKey[T]) -> T | None:
        """The service ``key``, or ``None`` when no enabled plugin provides it."""
        return self.services.get(key)  # type: ignore[return-value]

    def _gather_state_modules(self) -> StateScope:
        modules = [
            p for p, is_module in self.plugins.call_each("register_state_module", gateway=self) if is_module
        ]
        scope = StateScope.build(modules, self.settings.state_modules, self.plugins.names())
        return scope.with_providers(self.provider_owners)

    def _compose(self) -> tuple[ComposedSchema, Composition]:
        from gateway.extensions import core_extensions

        contributions = [
            (plugin, scope_contribution(self.states, plugin, contribution))
            for plugin, contribution in self.plugins.call_each("register_schema", gateway=self)
        ]
        return compose(contributions, core_extensions=core_extensions(self.settings))

    def _gather_routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = security_lifecycle.routes(self)
        for _, declared in self.plugins.call_each("register_routes", gateway=self):
            routes.extend(declared)
        return routes

    # -- runtime ---------------------------------------------------------------

    async def resolve_node(self, ctx: RequestContext, node_id: str) -> Any:
        """``node(id)``: course and collection ids go to the catalogue, others
        to the plugin that registered the id's prefix."""
        from gateway.catalogue.nodes import collection_node, course_node

        prefix, sep, _ = node_id.partition(":")
        if sep and prefix in self.providers:
            return await course_node(ctx, node_id)
        if sep and prefix == "collection":
            return await collection_node(ctx, node_id)
        resolver = self.node_resolvers.get(prefix) if sep else None
        if resolver is None:
            resolver = self.node_resolvers.get("*")
        if resolver is None:
            return None
        return await resolver(ctx, node_id)

    async def migration_status(self) -> list[migration_runner.LineageStatus]:
        return await migration_runner.status(self.db, self.lineages)

    async def upgrade(self) -> list[str]:
        return await migration_runner.upgrade(self.db, self.lineages)

    async def start(self) -> None:
        """Connect, migrate or check migrations, seed demo data, start plugins."""
        await self.db.check_reachable()
        if self.settings.migrate_at_startup:
            upgraded = await self.upgrade()
            if upgraded:
                log.info("applied migrations", extra={"plugins": upgraded})
        else:
            pending = [s.plugin for s in await self.migration_status() if s.pending]
            if pending:
                raise StartupError(
                    f"Database migrations are pending for: {', '.join(pending)}. "
                    "Run `karmayogi db upgrade` (with the same settings) and start again."
                )
        if self.settings.demo_at_startup:
            from gateway.directory.demo import load_demo_if_empty

            await load_demo_if_empty(self)
        await self.states.check_states(self.db)
        await security_lifecycle.start(self)
        for provider in self.providers.values():
            await provider.start()
        await call_all(self.pm.hook.startup(gateway=self))

    async def stop(self) -> None:
        try:
            await call_all(self.pm.hook.shutdown(gateway=self))
            for provider in self.providers.values():
                await provider.close()
        finally:
            try:
                await security_lifecycle.stop(self)
            finally:
                await self.db.dispose()


def build_gateway(
    settings: GatewaySettings,
    *,
    extra_plugins: Iterable[tuple[str, object]] = (),
) -> Gateway:
    """Build a fresh plugin manager and a ``Gateway`` from ``settings``."""
    host = build_plugin_host(
        allow=settings.plugins_allow,
        block=settings.plugins_block,
        extra=extra_plugins,
        skip_broken_entry_points=settings.skip_broken_plugins,
    )
    return Gateway(settings, host)
