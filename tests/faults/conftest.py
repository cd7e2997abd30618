from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.private_services import PrivateRedis


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of this test's own, to stop, restart and flush."""
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()
