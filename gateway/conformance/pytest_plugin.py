"""The conformance checks for an institute's own CI.

In a test module::

    from gateway.conformance.pytest_plugin import ProviderConformance

    class TestMyProvider(ProviderConformance):
        @pytest.fixture
        async def content_provider(self):
            provider = MyProvider(...)
            await provider.start()
            yield provider
            await provider.close()

Each check becomes one test, ``test_conformance[<check name>]``. For a
provider that needs a gateway (its tables), use ``make_gateway`` from
``gateway.testing`` and return ``client.gateway.providers["<id>"]``.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.conformance.checks import CHECKS, Check


class ProviderConformance:
    """Subclass it and give a ``content_provider`` fixture."""

    @pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
    async def test_conformance(self, check: Check, content_provider: Any) -> None:
        await check.run(content_provider)
