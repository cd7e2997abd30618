from __future__ import annotations

from tests.security.probe import calls, make_probe_gateway, probe_client, redis_prefix, redis_url

__all__ = ["calls", "make_probe_gateway", "probe_client", "redis_prefix", "redis_url"]
