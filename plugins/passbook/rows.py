"""The passbook's rows as its hot loaders hand them out: named tuples with the
columns the GraphQL types and the rules read (see :mod:`gateway.db.reads`).

Writes keep the ORM rows of :mod:`plugins.passbook.models`; a type that shows
either (a mutation's answer, a read) takes the union below.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from plugins.passbook import models


class Enrolment(NamedTuple):
    id: str
    learner_id: str
    course_id: str
    provider_id: str
    external: bool
    status: str
    progress_percent: int
    enrolled_at: dt.datetime
    completed_at: dt.datetime | None
    course_title: str
    duration_minutes: int
    feedback_rating: int | None


class ResourceProgress(NamedTuple):
    enrolment_id: str
    resource_id: str
    percent: int
    completed: bool
    updated_at: dt.datetime


class QuizAttempt(NamedTuple):
    enrolment_id: str
    resource_id: str
    quiz_id: str
    attempt: int
    score_percent: int
    passed: bool
    submitted_at: dt.datetime


class Certificate(NamedTuple):
    id: str
    enrolment_id: str
    learner_id: str
    course_id: str
    course_title: str
    learner_name: str
    access_code: str
    issued_at: dt.datetime
    key_id: str
    signature: str


class Evidence(NamedTuple):
    learner_id: str
    competency_id: str
    level: str | None
    channel: str
    context_id: str
    course_id: str | None
    certificate_id: str | None
    evidence_url: str | None
    acquired_at: dt.datetime


class PlanItem(NamedTuple):
    id: int
    organisation_id: str
    course_id: str
    scope: str
    target: str
    due_date: dt.date


class Karma(NamedTuple):
    learner_id: str
    points: int


EnrolmentLike = Enrolment | models.EnrolmentRow
CertificateLike = Certificate | models.CertificateRow
EvidenceLike = Evidence | models.EvidenceRow
QuizAttemptLike = QuizAttempt | models.QuizAttemptRow
PlanItemLike = PlanItem | models.PlanItemRow
