"""The kernel's implementations of the reads declared in :mod:`schema.reads`.

``ctx.load(LEARNERS_BY_ID, id)`` and ``ctx.load(learners_by_id, id)`` share one
DataLoader per request, so both batch together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.catalogue import loaders as catalogue
from gateway.directory import loaders as directory
from schema import reads

if TYPE_CHECKING:
    from gateway.context import BatchFn


def kernel_reads() -> dict[reads.Read[Any, Any], BatchFn[Any, Any]]:
    table: dict[reads.Read[Any, Any], BatchFn[Any, Any]] = {
        reads.ORGANISATIONS_BY_ID: directory.organisations_by_id,
        reads.CHILDREN_BY_PARENT: directory.children_by_parent,
        reads.COMPETENCIES_BY_ID: directory.competencies_by_id,
        reads.LEARNERS_BY_ID: directory.learners_by_id,
        reads.GRANTS_BY_LEARNER: directory.grants_by_learner,
        reads.WORK_EXPERIENCE_BY_LEARNER: directory.work_experience_by_learner,
        reads.COURSES_BY_ID: catalogue.courses_by_id,
        reads.ENROLLED: catalogue.enrolments_of_principal,
        reads.PROVIDER_HEALTH: catalogue.health_by_provider,
        reads.PROVIDER_COURSE_COUNT: catalogue.course_count_by_provider,
    }
    missing = [r.name for r in reads.ALL_READS if r not in table]
    assert not missing, f"reads without an implementation: {missing}"
    return table
