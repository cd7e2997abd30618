"""The plugin host: builds a fresh pluggy manager per app and calls hooks."""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any, TypeVar

import pluggy

from gateway import hookspecs
from schema.errors import StartupError

ENTRY_POINT_GROUP = "karmayogi_gateway"

# Built-ins are ordinary plugins, registered first and in this order, exactly as
# third-party ones are; every one of them can be blocked. What the kernel cannot
# work without (the directory store, catalogue routing, abuse controls, state
# scope) is kernel code, not a plugin (docs/architecture.md).
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("directory", "plugins.directory"),
    ("catalogue", "plugins.catalogue"),
    ("identity", "plugins.identity"),
    ("identity_parichay", "plugins.identity_parichay"),
    ("content_istm", "plugins.content_istm"),
    ("content_ignou", "plugins.content_ignou"),
    ("passbook", "plugins.passbook"),
    ("subscriptions", "plugins.subscriptions"),
    ("subgraphs", "plugins.subgraphs"),
)

T = TypeVar("T")
log = logging.getLogger("gateway.plugins")


@dataclass(frozen=True)
class PluginInfo:
    """What ``karmayogi plugins`` prints about one plugin."""

    name: str
    module: str
    version: str
    source: str  # "built-in" or "entry point (distribution)"
    hooks: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class PluginHost:
    """A pluggy manager plus what we know about each registered plugin."""

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo] = field(default_factory=dict)
    failed: dict[str, PluginInfo] = field(default_factory=dict)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def names(self) -> list[str]:
        return list(self.infos)

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call one hook plugin by plugin, in registration order (built-ins first),
        pairing each result with the plugin that gave it (used while the app is
        built, to name owners in errors: the first to declare a thing owns it).

        Each plugin is asked once through pluggy (``subset_hook_caller``), so
        wrappers and ordering still apply and a plugin implementing the hook
        twice is not counted twice; ``None`` answers are dropped. These hooks
        run while the app is built, synchronously: an awaitable answer stops
        start-up naming the plugin and the hook.
        """
        caller = getattr(self.pm.hook, hook_name)
        plugins: list[tuple[str, object]] = []
        for impl in caller.get_hookimpls():
            if all(p is not impl.plugin for _, p in plugins):
                plugins.append((impl.plugin_name, impl.plugin))
        everyone = [p for _, p in plugins]
        out: list[tuple[str, Any]] = []
        for name, plugin in plugins:
            others = [p for p in everyone if p is not plugin]
            for value in self.pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs):
                if inspect.isawaitable(value):
                    close = getattr(value, "close", None)
                    if close is not None:
                        close()
                    raise StartupError(
                        f"Plugin {name!r}: {hook_name} returned an awaitable. {hook_name} runs while "
                        "the app is built and must return its declarations: write it as a plain "
                        "`def`, and do asynchronous work in the `startup` hook."
                    )
                if value is not None:
                    out.append((name, value))
        return out

    def hooks_of(self, plugin: object) -> tuple[str, ...]:
        return tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or []))


def _version_of(module: ModuleType) -> str:
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return metadata.version("karmayogi-gateway")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "0+unknown"


def _allowed(name: str, allow: Iterable[str] | None, block: Iterable[str]) -> bool:
    if name in set(block):
        return False
    return allow is None or name in set(allow)


def build_plugin_host(
    *,
    allow: Iterable[str] | None = None,
    block: Iterable[str] = (),
    extra: Iterable[tuple[str, object]] = (),
    load_entry_points: bool = True,
    skip_broken_entry_points: bool = False,
) -> PluginHost:
    """Make a fresh manager: built-ins first, then entry points, then ``extra``.

    ``allow`` (when given) and ``block`` narrow plugins by name. ``extra``
    registers in-process plugins, which is how tests add one.
    An entry point that fails to import stops start-up naming the package and
    the error, unless ``skip_broken_entry_points``: then it is left out and listed
    in ``PluginHost.failed``.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    host = PluginHost(pm=pm)
    allow_list = list(allow) if allow is not None else None
    block_list = list(block)

    def register(name: str, plugin: object, module_name: str, source: str, version: str) -> None:
        if pm.has_plugin(name):
            raise StartupError(
                f"Two plugins are named {name!r} ({host.infos[name].source} and {source}); "
                "rename one entry point."
            )
        pm.register(plugin, name=name)
        host.infos[name] = PluginInfo(
            name=name,
            module=module_name,
            version=version,
            source=source,
            hooks=host.hooks_of(plugin),
        )

    for name, module_name in DEFAULT_PLUGINS:
        if not _allowed(name, allow_list, block_list):
            continue
        module = importlib.import_module(module_name)
        register(name, module, module_name, "built-in", _version_of(module))

    if load_entry_points:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if not _allowed(ep.name, allow_list, block_list):
                continue
            dist = ep.dist.name if ep.dist is not None else "?"
            dist_version = ep.dist.version if ep.dist is not None else "0+unknown"
            try:
                plugin = ep.load()
            except Exception as exc:
                info = PluginInfo(
                    name=ep.name,
                    module=ep.value,
                    version=dist_version,
                    source=f"entry point ({dist})",
                    error=f"{type(exc).__name__}: {exc}",
                )
                if skip_broken_entry_points:
                    host.failed[ep.name] = info
                    log.warning(
                        "plugin %r from package %r failed to import and is skipped "
                        "(skip_broken_plugins = true): %s",
                        ep.name,
                        dist,
                        info.error,
                    )
                    continue
                raise StartupError(
                    f"Plugin {ep.name!r} from package {dist!r} failed to import: "
                    f"{type(exc).__name__}: {exc}. Fix or uninstall the package, block it with "
                    f"plugins_block = [{ep.name!r}], or set skip_broken_plugins = true."
                ) from exc
            register(ep.name, plugin, ep.value, f"entry point ({dist})", dist_version)

    for name, plugin in extra:
        if not _allowed(name, allow_list, block_list):
            continue
        module_name = getattr(plugin, "__name__", type(plugin).__name__)
        register(name, plugin, module_name, "in-process", "0")

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise StartupError(
            f"Plugin {exc.plugin!r} implements a hook the gateway does not define: {exc}. "
            "Check the spelling against docs/plugins.md."
        ) from exc
    return host


async def resolve(value: T | Awaitable[T]) -> T:
    """Await ``value`` if a hook returned an awaitable, else return it."""
    if inspect.isawaitable(value):
        return await value
    return value


async def first_non_none(results: list[Any]) -> Any:
    """Await hook results in order and return the first that is not ``None``.

    Awaitables after the winner (or after one that raised) are closed
    without running.
    """
    done = 0
    try:
        for item in results:
            done += 1
            value = await resolve(item)
            if value is not None:
                return value
        return None
    finally:
        for rest in results[done:]:
            close: Callable[[], None] | None = getattr(rest, "close", None)
            if inspect.iscoroutine(rest) and close is not None:
                close()


async def call_all(results: list[Any]) -> list[Any]:
    """Await every result of a hook call, in order."""
    return [await resolve(item) for item in results]
