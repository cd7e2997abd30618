from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gateway.testing import GatewayClient, MakeGateway
from plugins.content_ignou.standin.programmes import demo_programmes
from plugins.content_ignou.standin.server import StandIn


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """IGNOU's stand-in service on a free loopback port, stopped after the test."""
    server = StandIn(demo_programmes()).start()
    yield server
    server.stop()


@pytest.fixture
def ignou_settings(standin: StandIn) -> dict[str, Any]:
    return {
        "url": standin.url,
        "connect_timeout_seconds": 1.0,
        "read_timeout_seconds": 1.0,
        "failure_threshold": 2,
        "circuit_reset_seconds": 0.3,
        "webhook_secret": "a-test-secret-shared-with-ignou-0123456789",
    }


@pytest.fixture
async def live(make_gateway: MakeGateway, ignou_settings: dict[str, Any]) -> GatewayClient:
    """A gateway reading IGNOU live from the stand-in."""
    return await make_gateway(plugins={"content_ignou": ignou_settings})
