"""Demo data that shows the product: every demo learner's dashboard has
something in it, one newcomer has nothing yet (issue 14)."""

from __future__ import annotations

from pathlib import Path

from gateway.testing import MakeGateway

DASHBOARD = (Path(__file__).resolve().parents[2] / "bench/queries/dashboard.graphql").read_text()
CHANNELS = {"COURSE", "SELF_DECLARED", "EVENT", "EXTERNAL_COURSE", "EXTERNAL_TRAINING"}


async def test_every_demo_dashboard_shows_the_product(make_gateway: MakeGateway) -> None:
    client = await make_gateway(plugins={"passbook": {"demo_learning_records": True}})
    learners = await client.graphql("{ __typename }")  # the app is up
    assert learners["data"]
    async with client.gateway.db.sessionmaker() as session:
        from sqlalchemy import select

        from gateway.directory.models import LearnerRow

        ids = (await session.scalars(select(LearnerRow.id).where(LearnerRow.demo.is_(True)))).all()
    statuses: set[str] = set()
    channels: set[str] = set()
    plan_states: set[str] = set()
    empty = []
    for learner_id in ids:
        me = (await client.graphql(DASHBOARD, as_learner=learner_id))["data"]["me"]
        enrolments = [e["node"] for e in me["enrolments"]["edges"]]
        if not enrolments:
            empty.append(learner_id)
            continue
        statuses |= {e["status"] for e in enrolments}
        assert me["passbook"]["karmaPoints"] > 0 and me["passbook"]["learningHours"] > 0, learner_id
        assert me["passbook"]["entries"], learner_id
        channels |= {ev["channel"] for entry in me["passbook"]["entries"] for ev in entry["evidence"]}
        plan_states |= {item["status"] for item in me["plan"]}
        for item in me["plan"]:
            assert item["assignedBy"]["name"], item
        completed = [e for e in enrolments if e["status"] == "COMPLETED"]
        assert completed and all(e["certificate"]["verifyUrl"] for e in completed), learner_id
    assert empty == ["learner:demo-tenzin"]
    assert statuses == {"NOT_STARTED", "IN_PROGRESS", "COMPLETED"}
    assert channels == CHANNELS
    assert "OVERDUE" in plan_states
