"""``/auth/{parichay,janparichay,oidc}/login`` and ``.../callback``."""

from __future__ import annotations

import contextlib
import hmac
import logging
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gateway.db.types import utcnow
from plugins.identity_parichay import oauth, pkce
from plugins.identity_parichay.claims import identity_from_claims
from plugins.identity_parichay.oidc import (
    ProviderError,
    TokenRejected,
    check_response_issuer,
)
from plugins.identity_parichay.onboarding import onboarded
from plugins.identity_parichay.runtime import Runtime, runtime
from schema.identity import SignInRefused, VerifiedIdentity, normalise_mobile
from schema.services import SIGN_IN

if TYPE_CHECKING:
    from gateway.host import Gateway
    from plugins.identity_parichay.models import SignInStateRow

log = logging.getLogger("plugins.identity_parichay")

# URL segment -> (source name recorded on sessions, what people call it)
MODES = {
    "parichay": ("parichay", "Parichay"),
    "janparichay": ("jan_parichay", "Jan Parichay"),
    "oidc": ("oidc", "your identity provider"),
}


def sign_in_cookie(mode: str) -> str:
    return f"karmayogi_signin_{mode}"


def safe_return_to(value: str | None) -> str:
    """Only paths on this gateway (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/graphql"
    return value[:500]


def problem(request: Request, status: int, message: str) -> Response:
    """An error a person can act on, as a page for browsers or JSON for apps."""
    code = {400: "BAD_USER_INPUT", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 409: "CONFLICT"}.get(
        status, "PROVIDER_UNAVAILABLE"
    )
    if "text/html" in request.headers.get("accept", ""):
        page = (
            "<!doctype html><html lang='en'><meta charset='utf-8'><title>Sign-in problem</title>"
            f"<body style='font-family:system-ui;max-width:40rem;margin:3rem auto'>"
            f"<h1>Could not sign you in</h1><p>{escape(message)}</p>"
            "<p><a href='/'>Back to iGOT Karmayogi</a></p></body></html>"
        )
        return HTMLResponse(page, status_code=status)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _provider(rt: Runtime, mode: str) -> Any:
    return rt.settings.parichay if mode == "parichay" else rt.settings.jan_parichay


async def login(request: Request, mode: str) -> Response:
    gateway: Gateway = request.app.state.gateway
    rt = runtime(gateway)
    if mode == "oidc":
        assert rt.oidc is not None
        try:
            authorize = (await rt.oidc.metadata())["authorization_endpoint"]
        except ProviderError as exc:
            log.warning("OIDC discovery failed", extra={"error": str(exc)})
            return problem(request, 502, "The identity provider is not answering; try again.")
        client_id, scope = rt.settings.oidc.client_id, rt.settings.oidc.scope
    else:
        provider = _provider(rt, mode)
        authorize, client_id, scope = provider.authorize_url, provider.client_id, provider.scope
    pending = await pkce.begin(
        gateway,
        mode,
        return_to=safe_return_to(request.query_params.get("return_to")),
        want_json=request.query_params.get("response") == "json",
        with_nonce=mode == "oidc",
        minutes=rt.settings.sign_in_minutes,
    )
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": rt.redirect_uri(mode),
        "scope": scope,
        "state": pending.state,
        "code_challenge": pending.code_challenge,
        "code_challenge_method": "S256",
    }
    if pending.nonce is not None:
        params["nonce"] = pending.nonce
    separator = "&" if "?" in authorize else "?"
    response = RedirectResponse(authorize + separator + urlencode(params), status_code=302)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        sign_in_cookie(mode),
        pending.state,
        max_age=rt.settings.sign_in_minutes * 60,
        path=f"/auth/{mode}",
        secure=gateway.service(SIGN_IN).cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


async def _parichay_identity(
    rt: Runtime, mode: str, row: SignInStateRow, code: str
) -> tuple[VerifiedIdentity, str, str | None]:
    provider = _provider(rt, mode)
    tokens = await oauth.exchange_code(
        rt.http,
        token_url=provider.token_url,
        code=code,
        redirect_uri=rt.redirect_uri(mode),
        client_id=provider.client_id,
        client_secret=provider.client_secret.get_secret_value(),
        code_verifier=row.code_verifier,
        timeout_seconds=provider.timeout_seconds,
    )
    access_token: str = tokens["access_token"]
    details = await oauth.user_details(
        rt.http,
        provider.user_details_url,
        access_token,
        provider.user_details_auth_scheme,
        provider.timeout_seconds,
    )
    mobile = normalise_mobile(oauth.text_claim(details, provider.mobile_field))
    first = oauth.text_claim(details, provider.first_name_field)
    last = oauth.text_claim(details, provider.last_name_field)
    if mode == "parichay":
        email = oauth.text_claim(details, provider.email_field)
        return VerifiedIdentity("parichay", email, mobile, first, last), access_token, None
    if mobile is None:
        raise SignInRefused(
            "Jan Parichay did not share a verified mobile number; sign in again with the "
            "number your department onboarded.",
            status=400,
        )
    async with rt.gateway.db.sessionmaker() as session:
        record = await onboarded(session, mobile)
    if record is None:
        raise SignInRefused(
            "This mobile number has not been onboarded for iGOT Karmayogi. Ask your "
            "department's nodal officer to onboard it, then sign in again."
        )
    if first is None and last is None and record.name:
        first = record.name
    identity = VerifiedIdentity("jan_parichay", None, mobile, first, last)
    return identity, access_token, record.organisation_id


async def _oidc_identity(
    rt: Runtime, row: SignInStateRow, code: str, iss: str | None
) -> tuple[VerifiedIdentity, str, None]:
    assert rt.oidc is not None
    settings = rt.settings.oidc
    metadata = await rt.oidc.metadata()
    check_response_issuer(metadata, settings.issuer, iss)
    tokens = await oauth.exchange_code(
        rt.http,
        token_url=metadata["token_endpoint"],
        code=code,
        redirect_uri=rt.redirect_uri("oidc"),
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        code_verifier=row.code_verifier,
        timeout_seconds=settings.timeout_seconds,
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderError("token endpoint answered without an id_token")
    claims = await rt.oidc.verify(id_token, audience=settings.client_id, nonce=row.nonce)
    return identity_from_claims(claims), tokens["access_token"], None


async def callback(request: Request, mode: str) -> Response:
    source, provider_name = MODES[mode]
    gateway: Gateway = request.app.state.gateway
    rt = runtime(gateway)
    params = request.query_params
    if params.get("error"):
        # The provider refused or the person cancelled; the state (if any) is spent.
        with contextlib.suppress(pkce.StateError):
            await pkce.consume(gateway, mode, params.get("state"))
        return problem(request, 403, f"{provider_name} did not sign you in; try again.")
    try:
        row = await pkce.consume(gateway, mode, params.get("state"))
    except pkce.StateError as exc:
        return problem(request, 400, str(exc))
    cookie = request.cookies.get(sign_in_cookie(mode), "")
    if not hmac.compare_digest(cookie.encode(), (params.get("state") or "").encode()):
        return problem(request, 400, "This sign-in was started in another browser; start signing in again.")
    if not params.get("code"):
        return problem(request, 400, f"{provider_name} sent no authorization code; try again.")
    try:
        if mode == "oidc":
            identity, upstream, organisation = await _oidc_identity(
                rt, row, params["code"], params.get("iss")
            )
        else:
            identity, upstream, organisation = await _parichay_identity(rt, mode, row, params["code"])
        learner = await gateway.service(SIGN_IN).sign_in(identity, by_mobile_organisation=organisation)
    except SignInRefused as exc:
        return problem(request, exc.status, exc.message)
    except TokenRejected as exc:
        log.warning("ID token refused", extra={"reason": str(exc)})
        return problem(request, 401, f"{provider_name} sent an identity we cannot trust ({exc}).")
    except ProviderError as exc:
        log.warning("identity provider failed", extra={"mode": mode, "error": str(exc)})
        return problem(request, 502, f"{provider_name} did not answer as expected; try again.")
    log.info("signed in", extra={"mode": mode, "learner": learner.id, "at": utcnow().isoformat()})
    response = await gateway.service(SIGN_IN).respond(
        learner,
        source,
        upstream_token=upstream,
        want_json=row.want_json,
        return_to=row.return_to,
    )
    response.delete_cookie(sign_in_cookie(mode), path=f"/auth/{mode}")
    return response


def routes(gateway: Gateway) -> list[Route]:
    settings = runtime(gateway).settings
    enabled = {
        "parichay": settings.parichay.enabled,
        "janparichay": settings.jan_parichay.enabled,
        "oidc": settings.oidc.enabled,
    }
    out = []
    for mode, on in enabled.items():
        if on:
            out.extend(_mode_routes(mode))
    return out


def _mode_routes(mode: str) -> list[Route]:
    async def login_endpoint(request: Request) -> Response:
        return await login(request, mode)

    async def callback_endpoint(request: Request) -> Response:
        return await callback(request, mode)

    return [
        Route(f"/auth/{mode}/login", login_endpoint, methods=["GET"]),
        Route(f"/auth/{mode}/callback", callback_endpoint, methods=["GET"]),
    ]
