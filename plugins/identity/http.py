"""``/auth`` routes of the core: refresh, logout, and the sign-in answer
every identity plugin gives once it knows who signed in."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gateway.credentials import bearer_token
from gateway.plugins import call_all
from plugins.identity import tokens
from plugins.identity.cookies import (
    clear_session_cookies,
    refresh_cookie_name,
    set_session_cookies,
)
from schema.errors import GatewayError, Unauthenticated
from schema.identity import EndedSession

if TYPE_CHECKING:
    from gateway.directory.models import LearnerRow
    from gateway.host import Gateway

log = logging.getLogger("plugins.identity")


def error_json(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def signed_in_response(
    gateway: Gateway,
    learner: LearnerRow,
    source: str,
    *,
    upstream_token: str | None = None,
    want_json: bool = False,
    return_to: str = "/graphql",
) -> Response:
    """Start a gateway session for ``learner`` and answer the client: a 303 to
    ``return_to`` with the session cookies for browsers, or the tokens in a
    JSON body (and the cookies) for API and mobile clients."""
    from plugins.identity.runtime import identity_settings, session_service

    issued = await session_service(gateway).start(learner.id, source, upstream_token)
    settings = identity_settings(gateway)
    response: Response
    if want_json:
        body = issued.as_json() | {"status": learner.status}
        response = JSONResponse(body, headers={"Cache-Control": "no-store"})
    else:
        response = RedirectResponse(return_to, status_code=303)
        response.headers["Cache-Control"] = "no-store"
    set_session_cookies(response, issued, settings)
    return response


async def _json_body(request: Request) -> dict[str, Any]:
    if "application/json" not in request.headers.get("content-type", ""):
        return {}
    raw = await request.body()
    if len(raw) > 16 * 1024:
        return {}
    try:
        data = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


async def refresh(request: Request) -> Response:
    from plugins.identity.runtime import identity_settings, session_service

    gateway: Gateway = request.app.state.gateway
    settings = identity_settings(gateway)
    body = await _json_body(request)
    from_body = body.get("refreshToken")
    token = from_body if isinstance(from_body, str) else None
    token = token or request.cookies.get(refresh_cookie_name(settings))
    if not token or len(token) > tokens.MAX_TOKEN_BYTES:
        return error_json(401, "UNAUTHENTICATED", "Send refreshToken in a JSON body.")
    try:
        issued = await session_service(gateway).refresh(token)
    except GatewayError as exc:
        response = error_json(exc.http_status, exc.code, exc.message)
        clear_session_cookies(response, settings)
        return response
    response = JSONResponse(issued.as_json(), headers={"Cache-Control": "no-store"})
    set_session_cookies(response, issued, settings)
    return response


async def logout(request: Request) -> Response:
    """Revoke the caller's session at once; then let the identity plugin that
    started it revoke the provider's token."""
    from plugins.identity.runtime import identity_settings, session_service

    gateway: Gateway = request.app.state.gateway
    settings = identity_settings(gateway)
    service = session_service(gateway)
    token = bearer_token(request) or request.cookies.get(settings.cookie_name)
    if not token:
        return error_json(401, "UNAUTHENTICATED", "Send the session token to sign out.")
    try:
        claims = await service.verify(token)
    except Unauthenticated as exc:
        response = error_json(401, exc.code, exc.message)
        clear_session_cookies(response, settings)
        return response
    row = await service.revoke(claims.session_id, "logout")
    if row is not None:
        ended = EndedSession(
            session_id=row.id,
            learner_id=row.learner_id,
            source=row.source,
            upstream_token=service.upstream_token(row),
        )
        try:
            await call_all(gateway.pm.hook.session_ended(gateway=gateway, session=ended))
        except Exception as exc:  # signed out here already; the provider is best effort
            log.warning(
                "an identity plugin failed after sign-out",
                extra={"error": type(exc).__name__, "session": row.id},
            )
    response = JSONResponse({"signedOut": True})
    clear_session_cookies(response, settings)
    return response


def routes() -> list[Route]:
    return [
        Route("/auth/refresh", refresh, methods=["POST"]),
        Route("/auth/logout", logout, methods=["POST"]),
    ]
