"""What the passbook's fields depend on and what its writes change, for the
answer cache (docs/caching.md). Every row with a ``learner_id`` bumps that
learner's scope by itself; rows keyed by an enrolment bump its learner's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plugins.passbook.models import EnrolmentRow
from schema.cache import (
    CATALOGUE,
    DAY,
    DIRECTORY,
    GLOBAL,
    LEARNER,
    PLANS,
    SAME_LEARNER,
    CacheDependencies,
    learner_scope,
    within,
)

RECORDS = [LEARNER, CATALOGUE, DIRECTORY]
PLAN = [LEARNER, PLANS, DAY, CATALOGUE, DIRECTORY]


def enrolment_owner(session: Any, row: Any) -> Iterable[str]:
    """The scope of the learner whose enrolment ``row`` belongs to."""
    enrolment = session.get(EnrolmentRow, row.enrolment_id)
    return [learner_scope(enrolment.learner_id)] if enrolment is not None else [GLOBAL]


def dependencies(catalogue_cache_seconds: int) -> CacheDependencies:
    """Recommendations rank a catalogue the providers may change without a
    sync: they are kept no longer than the passbook keeps its index, and not
    at all when it keeps none (``catalogue_cache_seconds = 0``)."""
    fields = dict(DEPENDENCIES.fields)
    if catalogue_cache_seconds <= 0:
        del fields["Learner.recommendations"], fields["Recommendation.*"]
    else:
        ranked = [*PLAN, within(catalogue_cache_seconds)]
        fields["Learner.recommendations"] = ranked
        fields["Recommendation.*"] = ranked
    return CacheDependencies(fields=fields, tables=DEPENDENCIES.tables)


DEPENDENCIES = CacheDependencies(
    fields={
        "Learner.enrolments": RECORDS,
        "Learner.passbook": RECORDS,
        "Learner.plan": PLAN,
        "Learner.recommendations": [*PLAN],
        "EnrolmentConnection.*": RECORDS,
        "EnrolmentEdge.*": RECORDS,
        "Enrolment.*": RECORDS,
        "Enrolment.learner": [DIRECTORY, SAME_LEARNER],
        "ResourceProgress.*": RECORDS,
        "QuizAttempt.*": RECORDS,
        "Certificate.*": RECORDS,
        "Passbook.*": RECORDS,
        "PassbookEntry.*": RECORDS,
        "Evidence.*": RECORDS,
        "PlanItem.*": PLAN,
        "Recommendation.*": PLAN,
    },
    tables={
        "passbook_learners": [],
        "passbook_enrolments": [],
        "passbook_certificates": [],
        "passbook_evidence": [],
        "passbook_karma": [],
        "passbook_resource_progress": enrolment_owner,
        "passbook_quiz_attempts": enrolment_owner,
        "passbook_external_events": enrolment_owner,
        "passbook_plan_items": [PLANS],
    },
)
