"""The Karmayogi learner-graph gateway.

Plugin authors write ``from gateway import hookimpl``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.hookspecs import hookimpl

if TYPE_CHECKING:
    from gateway.app import create_app

__all__ = ["create_app", "hookimpl"]


def __getattr__(name: str) -> Any:
    # ``create_app`` pulls in the whole app; plugins importing ``hookimpl`` don't need it.
    if name == "create_app":
        from gateway.app import create_app

        return create_app
    raise AttributeError(name)
