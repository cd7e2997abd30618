"""The passbook backend protocol: where learning records live.

The passbook issue fills this in; the host relies only on the members below.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class PassbookBackend(Protocol):
    """The one active store of enrolments, certificates and passbook entries."""

    name: str
