"""The ``Gateway``: settings, plugins, database and schema of one app instance."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from starlette.routing import BaseRoute

from gateway.composition import ComposedSchema, Composition, compose
from gateway.db import Database
from gateway.db import migrations as migration_runner
from gateway.errors import StartupError
from gateway.plugins import PluginHost, build_plugin_host, call_all
from gateway.settings import GatewaySettings, validate_plugin_section
from gateway.states import StateScope, scope_contribution
from schema.contribution import MigrationLineage, NodeResolver

if TYPE_CHECKING:
    from gateway.context import RequestContext
    from schema.passbook import PassbookBackend
    from schema.providers import ContentProvider

log = logging.getLogger("gateway")


class Gateway:
    """Everything one app instance is made of. Built once by :func:`build_gateway`
    and not changed after start-up; passed to hooks as ``gateway``."""

    def __init__(self, settings: GatewaySettings, plugins: PluginHost) -> None:
        self.settings = settings
        self.plugins = plugins
        self.pm = plugins.pm
        self.state: dict[str, Any] = {}  # plugins' runtime state, keyed by plugin name
        self._plugin_settings = self._validate_plugin_settings()
        self._refuse_development_defaults()
        self.db = Database(
            settings.database_url.get_secret_value(),
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            echo=settings.database_echo,
            pre_ping=settings.database_pre_ping,
            read_url=settings.database_read_url.get_secret_value() if settings.database_read_url else None,
        )
        self.lineages: list[tuple[str, MigrationLineage]] = self._gather_lineages()
        self.provider_owners: dict[str, str] = {}  # provider id -> plugin
        self.providers: dict[str, ContentProvider] = self._gather_providers()
        self.states: StateScope = self._gather_state_modules()
        self.passbook: PassbookBackend | None = self._gather_passbook()
        self.node_resolvers: dict[str, NodeResolver] = self._gather_node_resolvers()
        self.schema, self.composition = self._compose()
        self.routes: list[BaseRoute] = self._gather_routes()

    # -- start-up declarations -------------------------------------------------

    def _validate_plugin_settings(self) -> dict[str, BaseModel]:
        models = dict(self.plugins.call_each("register_settings_model"))
        unknown = sorted(set(self.settings.plugins) - set(models))
        if unknown:
            known = ", ".join(sorted(models)) or "none"
            raise StartupError(
                f"Settings name plugin section(s) {', '.join(unknown)} but no enabled plugin "
                f"declares settings by that name (plugins with settings: {known})."
            )
        return {
            name: validate_plugin_section(name, model, self.settings.plugins.get(name))
            for name, model in models.items()
        }

    def _refuse_development_defaults(self) -> None:
        """In production, stop on any development default, core's or a plugin's
        (a plugin settings model may define ``production_problems()``)."""
        if not self.settings.is_production:
            return
        problems = self.settings.production_problems()
        for name, section in self._plugin_settings.items():
            check = getattr(section, "production_problems", None)
            if check is not None:
                problems.extend(f"plugins.{name}.{line}" for line in check())
        if problems:
            raise StartupError("Production refuses development defaults:\n  " + "\n  ".join(problems))

    def plugin_settings(self, name: str) -> Any:
        """The validated settings object of plugin ``name``."""
        return self._plugin_settings[name]

    def _gather_lineages(self) -> list[tuple[str, MigrationLineage]]:
        lineages = self.plugins.call_each("register_migrations")
        tables: dict[str, str] = {}
        for plugin, lineage in lineages:
            if lineage.version_table in tables:
                raise StartupError(
                    f"Plugins {tables[lineage.version_table]!r} and {plugin!r} use the same "
                    f"Alembic version table {lineage.version_table!r}."
                )
            tables[lineage.version_table] = plugin
        return lineages

    def _gather_providers(self) -> dict[str, ContentProvider]:
        providers: dict[str, ContentProvider] = {}
        owners: dict[str, str] = {}
        for plugin, declared in self.plugins.call_each("register_content_providers", gateway=self):
            for provider in declared:
                if provider.id in owners:
                    raise StartupError(
                        f"Plugins {owners[provider.id]!r} and {plugin!r} both register the "
                        f"content provider id {provider.id!r}."
                    )
                owners[provider.id] = plugin
                providers[provider.id] = provider
        self.provider_owners = owners
        return providers

    def _gather_state_modules(self) -> StateScope:
        modules = [
            p for p, is_module in self.plugins.call_each("register_state_module", gateway=self) if is_module
        ]
        scope = StateScope.build(modules, self.settings.state_modules, self.plugins.names())
        return scope.with_providers(self.provider_owners)

    def _gather_passbook(self) -> PassbookBackend | None:
        backends = self.plugins.call_each("register_passbook_backend", gateway=self)
        if len(backends) > 1:
            names = " and ".join(repr(plugin) for plugin, _ in backends)
            raise StartupError(
                f"Plugins {names} each register a passbook backend; exactly one may be active. "
                "Block one with plugins_block."
            )
        return backends[0][1] if backends else None

    def _gather_node_resolvers(self) -> dict[str, NodeResolver]:
        resolvers: dict[str, NodeResolver] = {}
        owners: dict[str, str] = {}
        for plugin, declared in self.plugins.call_each("register_node_resolvers", gateway=self):
            for prefix, resolver in declared.items():
                if prefix in owners:
                    raise StartupError(
                        f"Plugins {owners[prefix]!r} and {plugin!r} both resolve node ids "
                        f"with prefix {prefix!r}."
                    )
                owners[prefix] = plugin
                resolvers[prefix] = resolver
        # Provider ids route course ids; only the catalogue may resolve them.
        clash = sorted(p for p in set(resolvers) & set(self.providers) if owners[p] != "catalogue")
        if clash:
            raise StartupError(f"Provider id(s) {', '.join(clash)} are reserved node id prefixes.")
        return resolvers

    def _compose(self) -> tuple[ComposedSchema, Composition]:
        from gateway.extensions import core_extensions

        contributions = [
            (plugin, scope_contribution(self.states, plugin, contribution))
            for plugin, contribution in self.plugins.call_each("register_schema", gateway=self)
        ]
        return compose(contributions, core_extensions=core_extensions(self.settings))

    def _gather_routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        for _, declared in self.plugins.call_each("register_routes", gateway=self):
            routes.extend(declared)
        return routes

    # -- runtime ---------------------------------------------------------------

    async def resolve_node(self, ctx: RequestContext, node_id: str) -> Any:
        prefix, sep, _ = node_id.partition(":")
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
        for provider in self.providers.values():
            await provider.start()
        await call_all(self.pm.hook.startup(gateway=self))

    async def stop(self) -> None:
        try:
            await call_all(self.pm.hook.shutdown(gateway=self))
            for provider in self.providers.values():
                await provider.close()
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
