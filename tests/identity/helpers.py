"""Keys and clients shared by the core identity tests."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519


def ed25519_pem() -> str:
    return (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def p256_pem() -> str:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``karmayogi ARGS`` in a new process on the test's database."""
    full_env = {
        **os.environ,
        "KARMAYOGI_DATABASE_URL": database_url,
        "KARMAYOGI_LOG_JSON": "false",
        **env,
    }
    full_env.pop("KARMAYOGI_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-c", "from gateway.cli import main; main()", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
