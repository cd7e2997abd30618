from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gateway.testing import GatewayClient, MakeGateway
from plugins.subgraphs.standin.server import HrmsStandIn


@pytest.fixture
def hrms() -> Iterator[HrmsStandIn]:
    standin = HrmsStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def joined(make_gateway: MakeGateway, hrms: HrmsStandIn) -> Any:
    """``await joined(**subgraph_settings)``: a gateway joined to the HRMS stand-in."""

    async def make(
        plugin_settings: dict[str, Any] | None = None,
        gateway_settings: dict[str, Any] | None = None,
        **subgraph: Any,
    ) -> GatewayClient:
        entry = {"name": "hrms", "url": hrms.url, "read_timeout_seconds": 1.0, **subgraph}
        section = {"subgraphs": [entry], **(plugin_settings or {})}
        return await make_gateway(plugins={"subgraphs": section}, **(gateway_settings or {}))

    return make
