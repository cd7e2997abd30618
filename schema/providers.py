"""The content provider protocol: what an institute's plugin implements.

The content issue fills this in (listing, search, structure, grading); the
host relies only on the members below.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ContentProvider(Protocol):
    """One source of courses, identified by ``id`` ("istm", "ignou", ...)."""

    id: str
    name: str

    async def start(self) -> None:
        """Acquire connections; called once when the app starts."""

    async def close(self) -> None:
        """Release what ``start`` acquired."""

    async def healthy(self) -> bool:
        """False while the provider's source is failing or its circuit is open."""
