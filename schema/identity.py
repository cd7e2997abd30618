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


@dataclass(frozen=True)
class EndedSession:
    """A gateway session that was just signed out (see ``session_ended``).

    ``source`` names the identity plugin that started it; ``upstream_token`` is
    the identity provider's access token that plugin stored, to revoke there.
    """

    session_id: str
    learner_id: str
    source: str
    upstream_token: str | None = None
