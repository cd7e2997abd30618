from __future__ import annotations

from typing import Any

import pytest

from plugins.content_istm import testing as istm_testing


@pytest.fixture
def demo_feed() -> dict[str, Any]:
    """A fresh, mutable copy of ISTM's demo feed."""
    return istm_testing.demo_feed()


@pytest.fixture
def big_feed() -> Any:
    """``big_feed(n)``: ISTM's demo feed grown to ``n`` courses (renamed copies), as bytes."""
    return istm_testing.grown_feed
