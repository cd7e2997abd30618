"""What the plugins declare while the app is built, gathered and checked.

Each function asks one ``register_*`` hook of every plugin (``call_each``)
and refuses a clash naming both plugins, or a declaration that breaks its
contract naming the plugin, so a mistake stops start-up, never a request.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from gateway.settings import validate_plugin_section
from schema.cache import CacheDependencies
from schema.context import ServiceKey
from schema.errors import StartupError
from schema.passbook import PassbookBackend
from schema.plan_rules import PlanRule
from schema.providers import CollectionRecord

if TYPE_CHECKING:
    from gateway.plugins import PluginHost
    from schema.contribution import MigrationLineage, NodeResolver
    from schema.providers import ContentProvider


def plugin_settings(
    host: PluginHost, sections: Mapping[str, Any]
) -> tuple[dict[str, BaseModel], dict[type[BaseModel], BaseModel]]:
    """Each plugin's validated ``[plugins.NAME]`` section, by plugin name and by model."""
    models: dict[str, type[BaseModel]] = {}
    for name, model in host.call_each("register_settings_model"):
        models[name] = model
    unknown = sorted(set(sections) - set(models))
    if unknown:
        known = ", ".join(sorted(models)) or "none"
        raise StartupError(
            f"Settings name plugin section(s) {', '.join(unknown)} but no enabled plugin "
            f"declares settings by that name (plugins with settings: {known})."
        )
    by_name = {
        name: validate_plugin_section(name, model, sections.get(name)) for name, model in models.items()
    }
    by_model: dict[type[BaseModel], BaseModel] = {}
    for name, model in models.items():
        if model in by_model:
            raise StartupError(f"Plugin {name!r} registers a settings model another plugin registers too.")
        by_model[model] = by_name[name]
    return by_name, by_model


def lineages(declared: list[tuple[str, MigrationLineage]]) -> list[tuple[str, MigrationLineage]]:
    tables: dict[str, str] = {}
    for plugin, lineage in declared:
        if lineage.version_table in tables:
            raise StartupError(
                f"Plugins {tables[lineage.version_table]!r} and {plugin!r} use the same "
                f"Alembic version table {lineage.version_table!r}."
            )
        tables[lineage.version_table] = plugin
    return declared


def providers(host: PluginHost, gateway: Any) -> tuple[dict[str, ContentProvider], dict[str, str]]:
    found: dict[str, ContentProvider] = {}
    owners: dict[str, str] = {}
    for plugin, declared in host.call_each("register_content_providers", gateway=gateway):
        for provider in declared:
            if provider.id in owners:
                raise StartupError(
                    f"Plugins {owners[provider.id]!r} and {plugin!r} both register the "
                    f"content provider id {provider.id!r}."
                )
            owners[provider.id] = plugin
            found[provider.id] = provider
    return found, owners


def _missing_methods(value: object, protocol: type) -> list[str]:
    wanted = [
        name
        for name, member in inspect.getmembers(protocol)
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property))
    ]
    wanted += [name for name in getattr(protocol, "__annotations__", {}) if not name.startswith("_")]
    return sorted({name for name in wanted if not hasattr(value, name)})


def services(host: PluginHost, gateway: Any) -> dict[ServiceKey[Any], object]:
    found: dict[ServiceKey[Any], object] = {}
    owners: dict[ServiceKey[Any], str] = {}
    for plugin, declared in host.call_each("register_services", gateway=gateway):
        for key, implementation in declared.items():
            if not isinstance(key, ServiceKey):
                raise StartupError(f"Plugin {plugin!r}: register_services keys must be ServiceKey objects.")
            if key in owners:
                raise StartupError(
                    f"Plugins {owners[key]!r} and {plugin!r} both provide the {key.name!r} service."
                )
            missing = _missing_methods(implementation, key.protocol)
            if missing:
                raise StartupError(
                    f"Plugin {plugin!r}: its {key.name!r} service lacks {', '.join(missing)} "
                    f"of {key.protocol.__name__}."
                )
            owners[key] = plugin
            found[key] = implementation
    return found


def passbook(host: PluginHost, gateway: Any) -> PassbookBackend | None:
    backends = host.call_each("register_passbook_backend", gateway=gateway)
    if len(backends) > 1:
        names = " and ".join(repr(plugin) for plugin, _ in backends)
        raise StartupError(
            f"Plugins {names} each register a passbook backend; exactly one may be active. "
            "Block one with plugins_block."
        )
    if not backends:
        return None
    plugin, backend = backends[0]
    missing = _missing_methods(backend, PassbookBackend)
    if missing:
        raise StartupError(
            f"Plugin {plugin!r}: its passbook backend lacks {', '.join(missing)} "
            "of schema.passbook.PassbookBackend."
        )
    return backend  # type: ignore[no-any-return]


def node_resolvers(host: PluginHost, gateway: Any, provider_ids: set[str]) -> dict[str, NodeResolver]:
    resolvers: dict[str, NodeResolver] = {}
    owners: dict[str, str] = {}
    for plugin, declared in host.call_each("register_node_resolvers", gateway=gateway):
        for prefix, resolver in declared.items():
            if prefix in owners:
                raise StartupError(
                    f"Plugins {owners[prefix]!r} and {plugin!r} both resolve node ids with prefix {prefix!r}."
                )
            if prefix in provider_ids or prefix == "collection":
                raise StartupError(
                    f"Plugin {plugin!r} resolves node ids with prefix {prefix!r}, which the catalogue "
                    "routes (content provider ids and 'collection')."
                )
            owners[prefix] = plugin
            resolvers[prefix] = resolver
    return resolvers


def collections(host: PluginHost, gateway: Any) -> tuple[list[CollectionRecord], dict[str, str]]:
    """Curated collections by id, with the plugin that gave each."""
    gathered: list[CollectionRecord] = []
    owners: dict[str, str] = {}
    for plugin, records in host.call_each("register_collections", gateway=gateway):
        for record in records:
            if not isinstance(record, CollectionRecord):
                raise StartupError(f"Plugin {plugin!r}: register_collections must return CollectionRecord.")
            if not record.id.startswith("collection:"):
                raise StartupError(
                    f"Plugin {plugin!r}: collection id {record.id!r} must start with 'collection:'."
                )
            if record.id in owners:
                raise StartupError(
                    f"Plugins {owners[record.id]!r} and {plugin!r} both give the collection {record.id!r}."
                )
            owners[record.id] = plugin
            gathered.append(record)
    return gathered, owners


def plan_rules(host: PluginHost, gateway: Any) -> list[tuple[str, PlanRule]]:
    rules: list[tuple[str, PlanRule]] = []
    seen: set[tuple[str, str]] = set()
    for plugin, declared in host.call_each("register_plan_rules", gateway=gateway):
        for rule in declared:
            if not isinstance(rule, PlanRule):
                raise StartupError(f"Plugin {plugin!r}: register_plan_rules must return PlanRule objects.")
            if (plugin, rule.id) in seen:
                raise StartupError(f"Plugin {plugin!r} gives two plan rules with the id {rule.id!r}.")
            seen.add((plugin, rule.id))
            rules.append((plugin, rule))
    return rules


def cache_dependencies(host: PluginHost, gateway: Any, kernel: CacheDependencies) -> CacheDependencies:
    """The kernel's and every plugin's cache declarations, merged; a key two of
    them declare stops start-up naming both."""
    fields: dict[str, Any] = dict(kernel.fields)
    tables: dict[str, Any] = dict(kernel.tables)
    owners: dict[str, str] = {key: "the kernel" for key in [*fields, *(f"table {t}" for t in tables)]}
    for plugin, declared in host.call_each("register_cache_dependencies", gateway=gateway):
        if isinstance(declared, Mapping):
            declared = CacheDependencies(fields=declared)
        if not isinstance(declared, CacheDependencies):
            raise StartupError(
                f"Plugin {plugin!r}: register_cache_dependencies must return CacheDependencies or a mapping."
            )
        for kind, mine, into in (("field", declared.fields, fields), ("table", declared.tables, tables)):
            for key, scopes in mine.items():
                if kind == "field" and (key.count(".") != 1 or key.startswith(".") or key.endswith(".")):
                    raise StartupError(
                        f"Plugin {plugin!r}: cache dependency keys are 'Type.field', not {key!r}."
                    )
                if not callable(scopes) and (
                    isinstance(scopes, str) or not all(isinstance(s, str) for s in scopes)
                ):
                    raise StartupError(
                        f"Plugin {plugin!r}: the cache dependencies of {key!r} must be a list of "
                        "scope names or a function."
                    )
                owner_key = key if kind == "field" else f"table {key}"
                if owner_key in owners:
                    raise StartupError(
                        f"{owners[owner_key]!r} and plugin {plugin!r} both declare cache dependencies "
                        f"for {kind} {key!r}."
                    )
                owners[owner_key] = plugin
                into[key] = scopes
    return CacheDependencies(fields=fields, tables=tables)
