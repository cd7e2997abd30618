"""A real OAuth 2.0 / OIDC authorization server for the tests.

``oidc-provider-mock`` (from PyPI) served by werkzeug on 127.0.0.1 at a free
port. It does not check PKCE verifiers and has no RFC 7009 revoke endpoint,
so a small WSGI layer in front adds both: it remembers each code's
``code_challenge`` and refuses a token request whose verifier does not match,
and ``/oauth2/revoke`` makes the user-details endpoint refuse that token.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import werkzeug.serving

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import oidc_provider_mock
    from oidc_provider_mock import User


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class StrictProvider:
    """WSGI layer adding PKCE checks and token revocation to the mock."""

    app: Any
    challenges: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # RFC 9207: when set, discovery advertises
    # authorization_response_iss_parameter_supported and authorization
    # responses carry iss=<this value>.
    response_iss: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if self.response_iss is not None and path == "/.well-known/openid-configuration":
            return self._discovery_with_iss(environ, start_response)
        if path == "/oauth2/authorize" and method == "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            challenge = (query.get("code_challenge") or [None])[0]
            challenge_method = (query.get("code_challenge_method") or [None])[0]

            def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                if self.response_iss is not None:
                    headers = [
                        (n, v + "&" + urlencode({"iss": self.response_iss}) if n.lower() == "location" else v)
                        for n, v in headers
                    ]
                for name, value in headers:
                    if name.lower() == "location":
                        code = parse_qs(urlsplit(value).query).get("code")
                        if code:
                            with self.lock:
                                self.challenges[code[0]] = (challenge, challenge_method)
                return start_response(status, headers, exc_info)

            return self.app(environ, remember)
        if path in ("/oauth2/token", "/oauth2/revoke") and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            environ["wsgi.input"] = io.BytesIO(body)
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if path == "/oauth2/revoke":
                with self.lock:
                    self.revoked.add(form.get("token", ""))
                return self._answer(start_response, "200 OK", {})
            with self.lock:
                self.token_requests.append(form)
            if form.get("grant_type") == "authorization_code":
                with self.lock:
                    challenge, challenge_method = self.challenges.pop(form.get("code", ""), (None, None))
                verifier = form.get("code_verifier", "")
                if challenge_method != "S256" or not challenge or s256(verifier) != challenge:
                    return self._answer(
                        start_response,
                        "400 Bad Request",
                        {"error": "invalid_grant", "error_description": "PKCE check failed"},
                    )
        if path == "/userinfo":
            auth = environ.get("HTTP_AUTHORIZATION", "")
            if auth.partition(" ")[2] in self.revoked:
                return self._answer(start_response, "401 Unauthorized", {"error": "invalid_token"})
        return self.app(environ, start_response)

    def _discovery_with_iss(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            return lambda data: None

        document = json.loads(b"".join(self.app(environ, keep)))
        document["authorization_response_iss_parameter_supported"] = True
        return self._answer(start_response, captured["status"], document)

    @staticmethod
    def _answer(start_response: Any, status: str, body: dict[str, Any]) -> list[bytes]:
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json")])
        return [data]


@dataclass
class RunningProvider:
    url: str
    strict: StrictProvider

    def endpoints(self) -> dict[str, str]:
        """Settings for a Parichay-shaped provider pointing at this server."""
        return {
            "authorize_url": f"{self.url}/oauth2/authorize",
            "token_url": f"{self.url}/oauth2/token",
            "user_details_url": f"{self.url}/userinfo",
            "revoke_url": f"{self.url}/oauth2/revoke",
        }


@contextmanager
def run_provider(users: list[User]) -> Iterator[RunningProvider]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flask_app = oidc_provider_mock.app(user_claims=users)
    strict = StrictProvider(flask_app)
    server = werkzeug.serving.make_server("127.0.0.1", 0, strict, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield RunningProvider(url=f"http://127.0.0.1:{server.server_port}", strict=strict)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
