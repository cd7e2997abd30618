"""Entry point for uvicorn workers: ``uvicorn --factory gateway.asgi:app_from_environment``.

Settings come from ``KARMAYOGI_CONFIG`` and ``KARMAYOGI_*`` variables.
"""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.app import create_app
from gateway.observability import configure_logging
from gateway.settings import load_settings


def app_from_environment() -> Starlette:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings, server_process=True)
