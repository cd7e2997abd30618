"""The dashboard costs a fixed number of SQL statements, whatever the number
of enrolments (DataLoaders batch every list)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from bench.catalogue import PROVIDER_ID, SyntheticPlugin
from gateway.testing import GatewayClient, MakeGateway, SqlCounter
from plugins.passbook import completion, signing
from plugins.passbook.models import EnrolmentRow, EvidenceRow, PlanItemRow

DASHBOARD = (Path(__file__).resolve().parents[3] / "bench" / "queries" / "dashboard.graphql").read_text()


async def seed(client: GatewayClient, learner_id: str, count: int, plan: bool = False) -> None:
    """``count`` enrolments (a third completed with certificate and evidence), and a plan item."""
    now = dt.datetime.now(dt.UTC)
    signer = signing.Signer(signing.development_key())
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        for i in range(count):
            course = f"{PROVIDER_ID}:course-{i:03d}"
            row = EnrolmentRow(
                id=f"enrolment:{uuid.uuid4().hex}",
                learner_id=learner_id,
                course_id=course,
                provider_id=PROVIDER_ID,
                status="COMPLETED" if i % 3 == 0 else "IN_PROGRESS",
                progress_percent=50,
                enrolled_at=now - dt.timedelta(minutes=i),
                course_title=f"Course {i}",
                duration_minutes=60,
                completed_at=now if i % 3 == 0 else None,
            )
            session.add(row)
            await session.flush()
            if i % 3 == 0:
                cert = completion.issue_certificate(row, "Asha Verma", signer, now)
                session.add(cert)
                session.add(
                    EvidenceRow(
                        learner_id=learner_id,
                        competency_id="comp:functional-office-procedure-e-office",
                        channel="COURSE",
                        context_id=course,
                        course_id=course,
                        certificate_id=cert.id,
                        acquired_at=now,
                    )
                )
        if plan:
            session.add(
                PlanItemRow(
                    organisation_id="org:dopt",
                    course_id="istm:rti-act",
                    scope="ALL_LEARNERS",
                    target="",
                    due_date=dt.date.today() + dt.timedelta(days=9),
                    assigned_by="learner:demo-vikram",
                )
            )


statements: dict[str, list[str]] = {}


async def dashboard_statements(client: GatewayClient, sql_counter: SqlCounter, learner: str) -> int:
    await client.graphql(DASHBOARD, as_learner=learner)  # warm caches outside the count
    with sql_counter as counter:
        body = await client.graphql(DASHBOARD, as_learner=learner)
    me = body["data"]["me"]
    assert len(me["recommendations"]) == 5
    assert me["plan"][0]["course"]["id"] == "istm:rti-act"
    statements[learner] = [st.split("\n")[0][:70] for st in counter.statements]
    return counter.count


async def test_dashboard_statement_count_does_not_grow(
    make_gateway: MakeGateway, sql_counter: SqlCounter
) -> None:
    # The executor's statements: the answer cache would answer the repeat.
    client = await make_gateway(
        extra_plugins=[("synthetic", SyntheticPlugin())], answer_cache={"enabled": False}
    )
    await seed(client, "learner:demo-asha", 5, plan=True)
    await seed(client, "learner:demo-rahul", 50)
    few = await dashboard_statements(client, sql_counter, "learner:demo-asha")
    many = await dashboard_statements(client, sql_counter, "learner:demo-rahul")
    body = await client.graphql(DASHBOARD, as_learner="learner:demo-rahul", expect_errors=True)
    assert len(body["data"]["me"]["enrolments"]["edges"]) == 20
    assert body["data"]["me"]["enrolments"]["totalCount"] == 50
    assert few == many, statements
    print(f"dashboard: {many} SQL statements for 5 and for 50 enrolments")
    assert many <= 12, statements
