"""CORS: browsers on the origins in ``cors_allow_origins`` may call the
gateway; others get no CORS headers, so their scripts cannot read answers
(and, since ``/graphql`` only takes ``application/json`` POSTs, which need a
preflight, cannot send mutations either)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

ALLOWED_HEADERS = ["accept", "authorization", "content-type", "x-request-id", "apollo-require-preflight"]
EXPOSED_HEADERS = ["x-request-id", "retry-after"]


def add_cors(app: Starlette, origins: list[str]) -> None:
    wildcard = "*" in origins
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        # Credentials (session cookies) only for named origins, never for "*".
        allow_credentials=not wildcard,
        max_age=600,
    )
