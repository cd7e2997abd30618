"""Hook implementations: a state module with a provider, a field and a table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gateway.api import (
    CollectionRecord,
    MigrationLineage,
    PlanRule,
    SchemaContribution,
    financial_year_end,
    hookimpl,
)
from karmayogi_haryana_ai.catalogue import COURSES, MANDATORY_COURSE
from karmayogi_haryana_ai.graphql import LEARNER_FIELDS, MUTATION_FIELDS
from karmayogi_haryana_ai.models import Base, HrmsCodeRow
from karmayogi_haryana_ai.provider import HaryanaAiProvider

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.api import GatewayView as Gateway

DEMO_CODES = {"learner:demo-manoj": "HR004512", "learner:demo-deepak": "HR007731"}


@hookimpl
def register_state_module() -> bool:
    return True


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_haryana_ai_skilling",
        metadata=Base.metadata,
    )


@hookimpl
def register_content_providers() -> list[HaryanaAiProvider]:
    return [HaryanaAiProvider()]


@hookimpl
def register_schema(gateway: Gateway) -> SchemaContribution:
    return SchemaContribution(mutation=MUTATION_FIELDS, type_fields={"Learner": LEARNER_FIELDS})


@hookimpl
def register_plan_rules() -> list[PlanRule]:
    """Every Haryana learner completes AI for Good Governance by 31 March
    (the due date follows the calendar: a function of today's date)."""
    return [
        PlanRule(
            id="ai-for-governance",
            course_id=MANDATORY_COURSE,
            due_date=financial_year_end,
            organisation_id="org:haryana",
        )
    ]


@hookimpl
def register_collections() -> list[CollectionRecord]:
    return [
        CollectionRecord(
            id="collection:haryana-ai-skilling",
            title="AI skilling for Haryana officials",
            description="The state's AI-skilling programme, in the order the state recommends.",
            curated_by="org:haryana",
            course_ids=tuple(course.id for course in COURSES),
        )
    ]


@hookimpl
async def load_demo_data(gateway: Gateway, session: AsyncSession) -> None:
    for learner_id, code in DEMO_CODES.items():
        session.add(HrmsCodeRow(learner_id=learner_id, code=code, updated_by="demo"))
