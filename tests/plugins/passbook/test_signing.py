"""Certificate keys: development is stable, production refuses the development
key, and a signature verifies offline with the public key alone."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization

from gateway.host import build_gateway
from gateway.settings import load_settings
from gateway.testing import production_plugin_settings
from plugins.passbook import signing
from schema.errors import StartupError

PRODUCTION = {
    "environment": "production",
    "secret_key": "k" * 40,
    "database_url": "postgresql+asyncpg://a:b@db/x",
}


def with_key(key: str | None) -> dict[str, object]:
    """Production's plugin sections, with the passbook's key replaced (or left out)."""
    plugins: dict[str, object] = {**production_plugin_settings()}
    plugins.pop("passbook")
    if key is not None:
        plugins["passbook"] = {"signing_key": key}
    return plugins


def test_access_codes_alternate_letter_and_digit() -> None:
    for _ in range(200):
        code = signing.new_access_code()
        assert signing.is_access_code(code)
        assert code[0::2].isalpha() and code[1::2].isdigit()
    assert not signing.is_access_code("1A2B3C")


def test_development_key_is_stable_and_production_refuses_it() -> None:
    assert signing.key_id(signing.development_key()) == signing.key_id(signing.development_key())
    with pytest.raises(StartupError, match=r"plugins\.passbook\.signing_key"):
        build_gateway(load_settings(**PRODUCTION, plugins=with_key(None)))
    dev_pem = (
        signing.development_key()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(StartupError, match="development certificate key is public"):
        build_gateway(load_settings(**PRODUCTION, plugins=with_key(dev_pem)))
    with pytest.raises(StartupError, match=r"plugins\.passbook\.signing_key"):
        build_gateway(load_settings(**PRODUCTION, plugins=with_key("not a key")))
    gateway = build_gateway(load_settings(**PRODUCTION, plugins=with_key(signing.new_seed())))
    assert gateway.passbook is not None


def test_signature_verifies_offline_and_catches_a_changed_name() -> None:
    signer = signing.Signer(signing.load_private_key(signing.new_seed()))
    fields = dict(
        certificate_id="0c6f1a52-8d5e-4a47-9a57-2a3cbf2f1c11",
        access_code="A2B3C4",
        learner_name="Asha Verma",
        course_id="istm:rti-act",
        course_title="RTI",
        issued_at=dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC),
    )
    signature = signer.sign(signing.signed_payload(**fields))
    public = serialization.load_pem_public_key(signer.public_pem.encode())
    assert signing.verify_signature(public, signing.signed_payload(**fields), signature)  # type: ignore[arg-type]
    forged = signing.signed_payload(**{**fields, "learner_name": "Someone Else"})
    assert not signing.verify_signature(public, forged, signature)  # type: ignore[arg-type]
