from __future__ import annotations

from collections.abc import Iterator

import pytest

from identity_parichay.provider import RunningProvider, User, run_provider

KAVITA = User(
    sub="kavita",
    claims={
        "loginId": "Kavita.Rao@DoPT.gov.in",
        "FirstName": "Kavita",
        "LastName": "Rao",
        "MobileNo": "+91 98111 22233",
    },
)
ASHA = User(
    sub="asha",
    claims={
        "loginId": "asha.verma@dopt.gov.in",
        "FirstName": "Asha",
        "LastName": "Verma",
        "MobileNo": "9876543210",
    },
)


@pytest.fixture
def provider() -> Iterator[RunningProvider]:
    with run_provider([KAVITA, ASHA]) as running:
        yield running
