"""The plugin's state keys, in one place every module may import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schema.context import StateKey

if TYPE_CHECKING:
    from plugins.subgraphs.runtime import Runtime
    from plugins.subgraphs.tokens import TokenSigner

RUNTIME: StateKey[Runtime] = StateKey("subgraphs.runtime")
SIGNER: StateKey[TokenSigner] = StateKey("subgraphs.signer")
