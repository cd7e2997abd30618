"""A minimal OpenID issuer for negative cases: discovery and a JWKS served on
127.0.0.1 by werkzeug, with keys the tests hold, and hand-made tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import werkzeug.serving
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Request, Response


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return data | {"kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class Issuer:
    url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    jwks_requests: int = 0
    failing: bool = False

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/.well-known/openid-configuration":
            body: dict[str, Any] = {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
            }
        elif request.path == "/jwks":
            self.jwks_requests += 1
            if self.failing:
                return Response("down", status=503)(environ, start_response)
            body = {"keys": [public_jwk(self.keys[kid], kid) for kid in self.published]}
        else:
            return Response("not found", status=404)(environ, start_response)
        return Response(json.dumps(body), mimetype="application/json")(environ, start_response)

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base = {
            "iss": self.url,
            "aud": "igot-api",
            "sub": "api-user-1",
            "email": "new.officer@dopt.gov.in",
            "iat": now,
            "exp": now + 300,
        }
        return {k: v for k, v in (base | overrides).items() if v is not None}

    def token(self, kid: str = "k1", headers: dict[str, Any] | None = None, **claims: Any) -> str:
        return jwt.encode(
            self.claims(**claims),
            self.keys[kid],
            algorithm="RS256",
            headers={"kid": kid, **(headers or {})},
        )

    def unsigned(self, header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
        """A token made by hand: ``secret`` gives an HS256 MAC, ``None`` no signature."""
        signing_input = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
        signature = b"" if secret is None else hmac.new(secret, signing_input, hashlib.sha256).digest()
        return signing_input.decode() + "." + b64(signature)

    def public_pem(self, kid: str = "k1") -> bytes:
        return (
            self.keys[kid]
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )


@contextmanager
def run_issuer() -> Iterator[Issuer]:
    issuer = Issuer(keys={"k1": new_rsa()}, published=["k1"])
    server = werkzeug.serving.make_server("127.0.0.1", 0, issuer.wsgi, threaded=True)
    issuer.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
