"""Everything a plugin author imports, from one module.

    from gateway.api import SchemaContribution, context_of, hookimpl

Hooks and their markers; what a plugin declares (schema contributions,
migrations, node resolvers, content providers, passbook backends, plan rules,
collections, services); the views of the gateway and of a request that hooks
and resolvers receive; the reads every plugin may load, the directory's tables
(read models for SQL joins; write them only in ``load_demo_data``) and the
shared GraphQL types a plugin may return or extend; database helpers; errors;
command helpers; building a gateway in tests and tools. ``GatewayClient``,
``MakeGateway``, ``SqlCounter`` (pytest fixtures' types) and
``StaticProvider`` (a content provider over fixed records), from
``gateway.testing``, are loaded on first use, so importing this module never
imports pytest.

Names outside ``__all__`` (``gateway.context``, ``schema.learner``, ...) are the
gateway's own and may change between releases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.answers.versions import mark as mark_cache_scopes
from gateway.commands import ConfigOption, fail, run_with_gateway
from gateway.credentials import bearer_token, unverified_issuer
from gateway.db import UTCDateTime, new_metadata, utcnow
from gateway.directory.models import CompetencyRow, LearnerRow, OrganisationRow, RoleGrantRow
from gateway.hookspecs import hookimpl
from gateway.host import Gateway, build_gateway
from gateway.plugins import build_plugin_host
from gateway.security.services import bump_cache_scopes, catalogue_changed
from gateway.settings import GatewaySettings, load_settings
from schema.cache import CacheDependencies
from schema.common import Node, PageInfo
from schema.content import Course, Provider
from schema.context import (
    AuthzView,
    BatchFn,
    GatewayView,
    MaybeAwaitable,
    RequestView,
    ServiceKey,
    State,
    StateKey,
    awaited,
    context_of,
    then,
)
from schema.contribution import MigrationLineage, NodeResolver, SchemaContribution
from schema.directory import (
    Competency,
    CompetencyArea,
    CompetencyRequirement,
    Organisation,
    ProficiencyLevel,
)
from schema.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    GatewayError,
    NotFound,
    OperationLimit,
    ProviderUnavailable,
    StartupError,
    Unauthenticated,
)
from schema.identity import EndedSession, Principal, SignInRefused, VerifiedIdentity, normalise_mobile
from schema.learner import Learner, Role
from schema.passbook import ExternalCompletion, PassbookBackend
from schema.plan_rules import PlanRule, financial_year_end
from schema.providers import (
    CollectionRecord,
    CompetencyTag,
    ContentProvider,
    CourseBatch,
    CourseRecord,
    CourseSummary,
    DeliveryModeName,
    GradingResult,
    ProviderError,
    ProviderHealth,
    QuestionRecord,
    QuizRecord,
    ResourceRecord,
    SearchAnswer,
    UnitRecord,
    UnknownQuiz,
)
from schema.reads import (
    CHILDREN_BY_PARENT,
    COMPETENCIES_BY_ID,
    COURSES_BY_ID,
    GRANTS_BY_LEARNER,
    LEARNERS_BY_ID,
    ORGANISATIONS_BY_ID,
    CompetencyRecord,
    LearnerRecord,
    OrganisationRecord,
    Read,
)
from schema.scalars import IST
from schema.services import EVENTS, SIGN_IN, EventBus, SignIn

if TYPE_CHECKING:
    from gateway.testing import GatewayClient, MakeGateway, SqlCounter, StaticProvider

_TESTING = ("GatewayClient", "MakeGateway", "SqlCounter", "StaticProvider")

__all__ = [
    "CHILDREN_BY_PARENT",
    "COMPETENCIES_BY_ID",
    "COURSES_BY_ID",
    "EVENTS",
    "GRANTS_BY_LEARNER",
    "IST",
    "LEARNERS_BY_ID",
    "ORGANISATIONS_BY_ID",
    "SIGN_IN",
    "AuthzView",
    "BadUserInput",
    "BatchFn",
    "CacheDependencies",
    "CollectionRecord",
    "Competency",
    "CompetencyArea",
    "CompetencyRecord",
    "CompetencyRequirement",
    "CompetencyRow",
    "CompetencyTag",
    "ConfigOption",
    "Conflict",
    "ContentProvider",
    "Course",
    "CourseBatch",
    "CourseRecord",
    "CourseSummary",
    "DeliveryModeName",
    "EndedSession",
    "EventBus",
    "ExternalCompletion",
    "Forbidden",
    "Gateway",
    "GatewayClient",
    "GatewayError",
    "GatewaySettings",
    "GatewayView",
    "GradingResult",
    "Learner",
    "LearnerRecord",
    "LearnerRow",
    "MakeGateway",
    "MaybeAwaitable",
    "MigrationLineage",
    "Node",
    "NodeResolver",
    "NotFound",
    "OperationLimit",
    "Organisation",
    "OrganisationRecord",
    "OrganisationRow",
    "PageInfo",
    "PassbookBackend",
    "PlanRule",
    "Principal",
    "ProficiencyLevel",
    "Provider",
    "ProviderError",
    "ProviderHealth",
    "ProviderUnavailable",
    "QuestionRecord",
    "QuizRecord",
    "Read",
    "RequestView",
    "ResourceRecord",
    "Role",
    "RoleGrantRow",
    "SchemaContribution",
    "SearchAnswer",
    "ServiceKey",
    "SignIn",
    "SignInRefused",
    "SqlCounter",
    "StartupError",
    "State",
    "StateKey",
    "StaticProvider",
    "UTCDateTime",
    "Unauthenticated",
    "UnitRecord",
    "UnknownQuiz",
    "VerifiedIdentity",
    "awaited",
    "bearer_token",
    "build_gateway",
    "build_plugin_host",
    "bump_cache_scopes",
    "catalogue_changed",
    "context_of",
    "fail",
    "financial_year_end",
    "hookimpl",
    "load_settings",
    "mark_cache_scopes",
    "new_metadata",
    "normalise_mobile",
    "run_with_gateway",
    "then",
    "unverified_issuer",
    "utcnow",
]


def __getattr__(name: str) -> Any:
    if name in _TESTING:
        import gateway.testing

        return getattr(gateway.testing, name)
    raise AttributeError(f"module 'gateway.api' has no attribute {name!r}")
