"""docs/passbook.md's offline verification example runs as written against a
certificate the gateway signed and the key it serves."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from gateway.testing import GatewayClient
from plugins.passbook import signing
from plugins.passbook.runtime import runtime_of

DOC = Path(__file__).resolve().parents[3] / "docs" / "passbook.md"


def example() -> Any:
    (source,) = re.findall(r"```python verify_offline\n(.*?)```", DOC.read_text(), flags=re.S)
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)
    return namespace["certificate_is_genuine"]


async def test_offline_verification_example(client: GatewayClient) -> None:
    certificate_is_genuine = example()
    pem = (await client.http.get("/passbook/certificate-key.pem")).text
    issued = dt.datetime(2026, 11, 28, 4, 30, tzinfo=dt.UTC)
    payload = signing.signed_payload(
        certificate_id="0c6f1a52-8d5e-4a47-9a57-2a3cbf2f1c11",
        access_code="A2B3C4",
        learner_name="Asha Verma",
        course_id="istm:rti-act",
        course_title="The Right to Information Act",
        issued_at=issued,
    )
    signature = runtime_of(client.gateway).signer.sign(payload)
    fields = json.loads(payload)
    assert certificate_is_genuine(pem, fields, signature)
    assert not certificate_is_genuine(pem, {**fields, "learnerName": "Someone Else"}, signature)
