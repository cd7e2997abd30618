"""``karmayogi serve``: uvicorn with N workers.

Workers keep nothing another worker needs: sessions, revocations, rate
limits, persisted operations and caches live in the database or Redis. What
must happen once (migrations and demo data in development) happens here, in
the parent, before the workers start, so two workers never race to migrate.
With more than one worker, Prometheus metrics are written to a directory the
workers share (``PROMETHEUS_MULTIPROC_DIR``), so ``/metrics`` on any worker
reports the whole server.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.settings import GatewaySettings


async def prepare_once(settings: GatewaySettings) -> None:
    """Check settings and plugins, then apply migrations and demo data (as
    the settings ask) once for all workers."""
    from gateway.host import build_gateway
    from gateway.observability import configure_logging

    gateway = build_gateway(settings)
    try:
        await gateway.db.check_reachable()
        # Settings, plugins and the database are good: from here on, log lines
        # (a start-up error above is one plain line, printed by the command).
        configure_logging(settings.log_level, settings.log_json)
        announce(settings, gateway.states.describe())
        if settings.migrate_at_startup:
            await gateway.upgrade()
        if settings.demo_at_startup:
            from gateway.directory.demo import load_demo_if_empty

            await load_demo_if_empty(gateway)
    finally:
        await gateway.db.dispose()


def announce(settings: GatewaySettings, state_modules: dict[str, list[str]]) -> None:
    """Log where the settings came from and which state modules are on where."""
    import logging

    log = logging.getLogger("gateway.serve")
    if settings.file is not None:
        log.info("settings read from %s", settings.file.resolve())
    else:
        log.info("no settings file (./karmayogi.toml or --config): defaults and KARMAYOGI_* variables")
    for module, states in sorted(state_modules.items()):
        log.info("state module %s is on for %s", module, ", ".join(states))
    if not state_modules:
        log.info("no state modules are on (state_modules is empty)")


def run_server(
    settings: GatewaySettings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    fd: int | None = None,
    workers: int = 1,
    reload: bool = False,
    graceful_timeout: int = 30,
    forwarded_allow_ips: str | None = None,
) -> None:
    import uvicorn

    if settings.file is not None:  # the workers read the same file, wherever they start
        os.environ["KARMAYOGI_CONFIG"] = str(settings.file.resolve())
    asyncio.run(prepare_once(settings))
    metrics_dir = None
    if workers > 1:
        # The workers must not migrate or seed again, racing each other: done above.
        os.environ["KARMAYOGI_AUTO_MIGRATE"] = "false"
        os.environ["KARMAYOGI_LOAD_DEMO_DATA"] = "false"
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="karmayogi-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "gateway.asgi:app_from_environment",
            factory=True,
            host=host,
            port=port,
            fd=fd,
            workers=workers,
            reload=reload,
            log_config=None,
            timeout_graceful_shutdown=graceful_timeout,
            proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
