"""The directory's rows as the hot loaders hand them out: named tuples with the
columns of the record protocols in :mod:`schema.reads` (see
:mod:`gateway.db.reads`)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class Organisation(NamedTuple):
    id: str
    name: str
    type: str
    parent_id: str | None
    root_id: str
    path: str
    is_content_provider: bool
    demo: bool


class Competency(NamedTuple):
    id: str
    area: str
    theme: str
    sub_theme: str | None
    description: str | None


class Learner(NamedTuple):
    id: str
    name: str
    email: str | None
    mobile: str | None
    organisation_id: str | None
    designation: str | None
    group: str | None
    service: str | None
    cadre: str | None
    status: str
    demo: bool


class WorkExperience(NamedTuple):
    learner_id: str
    designation: str
    organisation_id: str | None
    from_date: dt.date
    to_date: dt.date | None


class RoleGrant(NamedTuple):
    learner_id: str
    role: str
    organisation_id: str | None


class DesignationCompetency(NamedTuple):
    organisation_id: str
    designation_key: str
    competency_id: str
    level: str | None
