"""Lean reads (gateway/db/reads.py) give the values the ORM gives, one SQL
statement a batch, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from gateway.context import RequestContext
from gateway.db.reads import by_key, grouped_by
from gateway.directory.loaders import CHILDREN, LEARNERS, ORGANISATIONS
from gateway.directory.models import LearnerRow, OrganisationRow
from gateway.testing import MakeGateway, SqlCounter
from plugins.passbook.loaders import ENROLMENTS_BY_LEARNER
from plugins.passbook.models import EnrolmentRow


async def test_records_hold_what_the_orm_reads_and_outlive_their_connection(
    make_gateway: MakeGateway, sql_counter: SqlCounter
) -> None:
    client = await make_gateway()
    gateway = client.gateway
    now = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    async with gateway.db.write_sessionmaker() as session, session.begin():
        session.add(
            EnrolmentRow(
                id="enrolment:lean",
                learner_id="learner:demo-asha",
                course_id="istm:rti-act",
                provider_id="istm",
                status="COMPLETED",
                progress_percent=100,
                enrolled_at=now,
                completed_at=now,
                course_title="RTI",
                duration_minutes=90,
            )
        )
    ctx = RequestContext(gateway=gateway, request=None, principal=None, request_id="t")
    ids = ["learner:demo-asha", "learner:nobody", "learner:demo-rahul"]
    with sql_counter as counter:
        learners = await by_key(ctx, LEARNERS, ids)
        [enrolments, none] = await grouped_by(ctx, ENROLMENTS_BY_LEARNER, ["learner:demo-asha", "learner:x"])
        orgs = await by_key(ctx, ORGANISATIONS, ["org:dopt"])
        [children] = await grouped_by(ctx, CHILDREN, ["org:dopt"])
    assert counter.count == 4  # one statement a batch, whatever the number of keys
    assert learners[1] is None and none == []
    async with gateway.db.sessionmaker() as session:
        orm = await session.get(LearnerRow, "learner:demo-asha")
        org = await session.get(OrganisationRow, "org:dopt")
        kids = (
            await session.scalars(
                select(OrganisationRow)
                .where(OrganisationRow.parent_id == "org:dopt")
                .order_by(OrganisationRow.name)
            )
        ).all()
    assert orm is not None and org is not None
    asha, rahul = learners[0], learners[2]
    assert asha is not None and rahul is not None and rahul.id == "learner:demo-rahul"
    for name in asha._fields:  # the same values, read after the connection went back to the pool
        assert getattr(asha, name) == getattr(orm, name), name
    assert isinstance(asha.demo, bool)
    assert (
        orgs[0] is not None
        and orgs[0].path == org.path
        and orgs[0].is_content_provider is org.is_content_provider
    )
    assert [c.id for c in children] == [k.id for k in kids]
    [enrolment] = [e for e in enrolments if e.id == "enrolment:lean"]
    assert enrolment.completed_at == now and enrolment.completed_at.utcoffset() == dt.timedelta(0)
    assert enrolment.external is False and enrolment.feedback_rating is None
