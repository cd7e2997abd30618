from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.identity_parichay.provider import RunningProvider, User, run_provider

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

NO_EMAIL = User(sub="no-email", claims={"FirstName": "Nameless", "MobileNo": "9800000001"})
GMAIL = User(sub="gmail", claims={"loginId": "someone@gmail.com", "FirstName": "Some"})
PARTNER = User(sub="partner", claims={"loginId": "ravi@iitd.ac.in", "FirstName": "Ravi"})
JAN_RAMESH = User(sub="jan-ramesh", claims={"MobileNo": "9822233344", "FirstName": "Ramesh"})
JAN_ASHA = User(sub="jan-asha", claims={"MobileNo": "98765 43210", "FirstName": "Asha"})
JAN_NOBODY = User(sub="jan-nobody", claims={"MobileNo": "9700000000", "FirstName": "Nobody"})
# Ramesh later signs in through Parichay with an official email and the same mobile.
RAMESH = User(
    sub="ramesh",
    claims={"loginId": "ramesh.k@dopt.gov.in", "FirstName": "Ramesh", "MobileNo": "9822233344"},
)
# Someone else signing in with Asha's mobile number (a new email).
SURESH = User(
    sub="suresh",
    claims={"loginId": "suresh.p@dopt.gov.in", "FirstName": "Suresh", "MobileNo": "9876543210"},
)
USERS = [KAVITA, ASHA, NO_EMAIL, GMAIL, PARTNER, JAN_RAMESH, JAN_ASHA, JAN_NOBODY, RAMESH, SURESH]


@pytest.fixture
def provider() -> Iterator[RunningProvider]:
    with run_provider(USERS) as running:
        yield running
