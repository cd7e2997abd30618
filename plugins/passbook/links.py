"""Expiring, signed links to an organisation's CSV report (HMAC with the
gateway's ``secret_key``). A link names the admin it was made for; the route
checks the signature, the expiry and that this learner still administers the
organisation."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode


def _signature(secret: str, org_id: str, admin_id: str, expires: int) -> str:
    message = f"passbook-report\n{org_id}\n{admin_id}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def report_link(base_url: str, secret: str, org_id: str, admin_id: str, ttl_seconds: int) -> str:
    expires = int(time.time()) + ttl_seconds
    query = urlencode(
        {"by": admin_id, "expires": expires, "sig": _signature(secret, org_id, admin_id, expires)}
    )
    return f"{base_url}/passbook/reports/{quote(org_id, safe='')}.csv?{query}"


def check_report_link(secret: str, org_id: str, admin_id: str, expires: str, signature: str) -> str | None:
    """``None`` if the link is good, else what is wrong with it (in words)."""
    try:
        expires_at = int(expires)
    except ValueError:
        return "This link is malformed."
    expected = _signature(secret, org_id, admin_id, expires_at)
    if not hmac.compare_digest(expected, signature):
        return "This link is not valid."
    if expires_at < time.time():
        return "This link has expired; ask for the report again."
    return None
