"""A state HRMS as a real Federation 2 subgraph (Strawberry), extending
``Learner`` by key with ``serviceRecord`` and adding ``Query.hrmsCadres``.

Its ``Organisation`` is a stub (``@key(fields: "id", resolvable: false)``):
it gives only the id; the gateway resolves the rest.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

# learner id -> (cadre, [(organisation id, from, to)])
RECORDS: dict[str, tuple[str, list[tuple[str, str, str | None]]]] = {
    "learner:demo-deepak": (
        "HCS",
        [("org:hr-gad", "2014-07-01", "2019-03-31"), ("org:hr-revenue", "2019-04-01", None)],
    ),
    "learner:demo-sunita": ("HCS", [("org:hr-health", "2016-01-04", None)]),
    "learner:demo-manoj": (
        "HCS (Executive)",
        [("org:hr-revenue", "2012-05-02", "2020-06-30"), ("org:hr-gad", "2020-07-01", None)],
    ),
    "learner:demo-asha": (
        "CSS",
        [("org:istm", "2015-08-01", "2018-07-31"), ("org:dopt", "2018-08-01", None)],
    ),
    "learner:demo-rahul": ("CSS", [("org:dopt", "2019-01-07", None)]),
    "learner:demo-meena": (
        "CSS",
        [("org:moe", "2010-03-01", "2017-02-28"), ("org:dopt", "2017-03-01", None)],
    ),
}

CADRES = [
    ("HCS", "Haryana Civil Service", 420),
    ("HCS (Executive)", "Haryana Civil Service (Executive Branch)", 310),
]


@strawberry.federation.type(directives=[Key(fields=FieldSet("id"), resolvable=False)])
class Organisation:
    id: strawberry.ID


@strawberry.type
class Posting:
    organisation: Organisation
    from_: str = strawberry.field(name="from", description="ISO date the posting began.")
    to: str | None = strawberry.field(description="ISO date it ended; null: current.")


@strawberry.type
class ServiceRecord:
    cadre: str
    postings: list[Posting]

    @strawberry.field
    def posting_count(self) -> int:
        return len(self.postings)

    @strawberry.field(description="Always fails: the HRMS's leave ledger is offline (for the error tests).")
    def leave_balance(self) -> int | None:
        raise RuntimeError("the leave ledger is offline")


@strawberry.federation.type(keys=["id"])
class Learner:
    id: strawberry.ID
    service_record: ServiceRecord | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Learner | None:
        found = RECORDS.get(str(id))
        if found is None:
            return None  # an id the HRMS does not know: null, no error
        cadre, postings = found
        record = ServiceRecord(
            cadre=cadre,
            postings=[
                Posting(organisation=Organisation(id=strawberry.ID(o)), from_=f, to=t) for o, f, t in postings
            ],
        )
        return cls(id=id, service_record=record)


@strawberry.type
class Cadre:
    code: str
    name: str
    sanctioned_strength: int


@strawberry.type
class Query:
    @strawberry.field(description="The state's cadres.")
    def hrms_cadres(self, code: str | None = None) -> list[Cadre]:
        return [
            Cadre(code=c, name=n, sanctioned_strength=s) for c, n, s in CADRES if code is None or c == code
        ]

    @strawberry.field(description="Officers of a cadre (learners, resolved by the gateway).")
    def hrms_officers(self, cadre: str) -> list[Learner]:
        found = [Learner.resolve_reference(strawberry.ID(i)) for i, (c, _) in RECORDS.items() if c == cadre]
        return [learner for learner in found if learner is not None]


def build_schema() -> Any:
    return strawberry.federation.Schema(query=Query, types=[Learner, Organisation])
