"""Hook implementations: a state module with a provider, a field and a table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gateway import hookimpl
from karmayogi_haryana_ai.graphql import LEARNER_FIELDS, MUTATION_FIELDS
from karmayogi_haryana_ai.models import Base, HrmsCodeRow
from karmayogi_haryana_ai.provider import HaryanaAiProvider
from schema.contribution import MigrationLineage, SchemaContribution

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from gateway.host import Gateway

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
async def load_demo_data(gateway: Gateway, session: AsyncSession) -> None:
    for learner_id, code in DEMO_CODES.items():
        session.add(HrmsCodeRow(learner_id=learner_id, code=code, updated_by="demo"))
