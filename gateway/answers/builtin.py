"""The kernel's cache declarations: the shared types in ``schema/`` (learners'
profiles, organisations, competencies, courses, providers) and the kernel's
tables. Plugins declare their own fields and tables through
``register_cache_dependencies``."""

from __future__ import annotations

from gateway.answers.plan import FieldRules
from schema.cache import (
    CATALOGUE,
    DIRECTORY,
    LEARNER,
    ROLES,
    SHARED,
    CacheDependencies,
    within,
)

_PROFILE = [DIRECTORY]
_COURSE = [CATALOGUE, DIRECTORY]

KERNEL = CacheDependencies(
    fields={
        **{
            f"Learner.{name}": _PROFILE
            for name in [
                "id",
                "name",
                "designation",
                "group",
                "service",
                "cadre",
                "isDemo",
                "email",
                "mobile",
                "organisation",
                "workExperience",
                "roles",
                "profileComplete",
                "status",
            ]
        },
        "WorkExperience.*": _PROFILE,
        "Organisation.*": _PROFILE,
        "Competency.*": _PROFILE,
        "CompetencyRequirement.*": _PROFILE,
        "Node.id": [],
        "PageInfo.*": [],
        "Course.*": _COURSE,
        "CourseConnection.*": _COURSE,
        "CourseEdge.*": _COURSE,
        "CourseFacets.*": _COURSE,
        "FacetCount.*": _COURSE,
        "CourseUnit.*": _COURSE,
        "Resource.*": _COURSE,
        "Quiz.*": _COURSE,
        # Questions are shown to learners enrolled in the course only.
        "Quiz.questions": [*_COURSE, LEARNER],
        "Question.*": _COURSE,
        "Collection.*": _COURSE,
        # healthy and status follow the provider's live state: not cached.
        **{
            f"Provider.{name}": _COURSE
            for name in ("id", "name", "deliveryMode", "courseCount", "organisation")
        },
    },
    tables={
        "organisations": [DIRECTORY],
        "organisation_requests": [DIRECTORY],
        "competencies": [DIRECTORY],
        "designation_competencies": [DIRECTORY],
        "learners": lambda session, row: [f"learner:{row.id}", DIRECTORY],
        "work_experience": [DIRECTORY],
        "role_grants": [DIRECTORY, ROLES],
        "persisted_operations": [],
    },
)


# Fields of the shared types whose values are the same for every caller
# (``schema.cache.SHARED``), named one by one: a field a plugin adds to one of
# these types is not among them unless it says so itself.
SHARED_FIELDS = {
    "Course": [
        "id",
        "provider",
        "title",
        "description",
        "languages",
        "durationMinutes",
        "category",
        "competencies",
        "externalUrl",
        "updatedAt",
    ],
    "Provider": ["id", "name", "deliveryMode"],
    "Competency": ["id", "area", "theme", "subTheme", "description"],
    "CompetencyRequirement": ["competency", "level"],
    "Organisation": ["id", "name", "type", "isContentProvider"],
}


def kernel(catalogue_max_age_seconds: int) -> CacheDependencies:
    """The kernel's declarations; every field reading the catalogue is kept at
    most ``catalogue_max_age_seconds`` (a remote provider changes unannounced)."""
    aged = within(catalogue_max_age_seconds)
    declared = dict(KERNEL.fields)
    rules_of = FieldRules(KERNEL.fields)
    for type_name, names in SHARED_FIELDS.items():
        for name in names:
            scopes = rules_of.lookup(type_name, name)
            assert scopes is not None and not callable(scopes), f"{type_name}.{name}"
            declared[f"{type_name}.{name}"] = [*scopes, SHARED]
    fields = {
        key: [*scopes, aged] if not callable(scopes) and CATALOGUE in scopes else scopes
        for key, scopes in declared.items()
    }
    return CacheDependencies(fields=fields, tables=KERNEL.tables)
