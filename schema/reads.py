"""The reads every plugin may use, and the records they return.

A :class:`Read` names a batch read the kernel implements; any resolver loads
through it with the request's DataLoaders (``await ctx.load(LEARNERS_BY_ID,
id)``), so every wave of loads of one read is one batch (one SQL statement for
a database read). Records are read-only views: the kernel may hand out ORM
rows, Core rows or plain objects with these attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from schema.providers import CourseRecord, ProviderHealth

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Read(Generic[K, V]):
    """A named batch read: keys of type ``K`` to values of type ``V``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Read({self.name!r})"


class OrganisationRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def root_id(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def is_content_provider(self) -> bool: ...
    @property
    def demo(self) -> bool: ...


class OrganisationRequestRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def requested_at(self) -> dt.datetime: ...
    @property
    def decided_at(self) -> dt.datetime | None: ...
    @property
    def requested_by(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...


class CompetencyRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def theme(self) -> str: ...
    @property
    def sub_theme(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...


class LearnerRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def mobile(self) -> str | None: ...
    @property
    def organisation_id(self) -> str | None: ...
    @property
    def designation(self) -> str | None: ...
    @property
    def group(self) -> str | None: ...
    @property
    def service(self) -> str | None: ...
    @property
    def cadre(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def demo(self) -> bool: ...


class RoleGrantRecord(Protocol):
    @property
    def learner_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def organisation_id(self) -> str | None: ...


class WorkExperienceRecord(Protocol):
    @property
    def designation(self) -> str: ...
    @property
    def organisation_id(self) -> str | None: ...
    @property
    def from_date(self) -> dt.date: ...
    @property
    def to_date(self) -> dt.date | None: ...


# -- the directory ---------------------------------------------------------------
ORGANISATIONS_BY_ID: Read[str, OrganisationRecord | None] = Read("organisations_by_id")
CHILDREN_BY_PARENT: Read[str, Sequence[OrganisationRecord]] = Read("children_by_parent")
COMPETENCIES_BY_ID: Read[str, CompetencyRecord | None] = Read("competencies_by_id")
LEARNERS_BY_ID: Read[str, LearnerRecord | None] = Read("learners_by_id")
GRANTS_BY_LEARNER: Read[str, Sequence[RoleGrantRecord]] = Read("grants_by_learner")
WORK_EXPERIENCE_BY_LEARNER: Read[str, Sequence[WorkExperienceRecord]] = Read("work_experience_by_learner")

# -- the catalogue ---------------------------------------------------------------
COURSES_BY_ID: Read[str, CourseRecord | None] = Read("courses_by_id")
"""Provider-qualified course ids (``istm:office-procedure``) to records."""
ENROLLED: Read[str, bool] = Read("enrolled")
"""Whether the signed-in learner is enrolled in a course (the passbook says)."""
PROVIDER_HEALTH: Read[str, ProviderHealth] = Read("provider_health")
"""A provider's health by provider id, asked once per request."""
PROVIDER_COURSE_COUNT: Read[str, int | None] = Read("provider_course_count")
"""A provider's course count by provider id, asked once per request."""

ALL_READS: tuple[Read[str, Any], ...] = (
    ORGANISATIONS_BY_ID,
    CHILDREN_BY_PARENT,
    COMPETENCIES_BY_ID,
    LEARNERS_BY_ID,
    GRANTS_BY_LEARNER,
    WORK_EXPERIENCE_BY_LEARNER,
    COURSES_BY_ID,
    ENROLLED,
    PROVIDER_HEALTH,
    PROVIDER_COURSE_COUNT,
)
