"""Who is asking: what an identity plugin hands to the gateway."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """A signed-in learner.

    ``learner_id`` is the core learner record's id. ``source`` names the
    identity plugin that recognised the request; ``session_id`` is set for
    gateway sessions (so logout can revoke it).
    """

    learner_id: str
    source: str
    session_id: str | None = None
