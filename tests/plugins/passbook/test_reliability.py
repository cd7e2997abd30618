"""Nothing lost, nothing twice: concurrent progress, repeated external
completions, and a failure forced in the middle of a completion."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from gateway.testing import GatewayClient, MakeGateway, error_codes
from plugins.passbook import completion
from plugins.passbook.models import (
    CertificateRow,
    EnrolmentRow,
    EvidenceRow,
    KarmaRow,
    ResourceProgressRow,
)
from schema.passbook import ExternalCompletion
from tests.plugins.passbook.external_provider import EXTERNAL_COURSE, ExternalPlugin
from tests.plugins.passbook.helpers import (
    ASHA,
    COURSE,
    FEEDBACK,
    PROGRESS,
    QUIZ,
    answers,
    enrol,
    resources,
)

LAST = f"{COURSE}/u3-video"


async def counts(client: GatewayClient, learner: str = ASHA) -> dict[str, int]:
    async with client.gateway.db.sessionmaker() as session:
        out = {}
        for model in (CertificateRow, EvidenceRow, KarmaRow):
            out[model.__tablename__] = int(
                await session.scalar(
                    select(func.count()).select_from(model).where(model.learner_id == learner)  # type: ignore[attr-defined]
                )
                or 0
            )
        out["points"] = int(
            await session.scalar(
                select(func.coalesce(func.sum(KarmaRow.points), 0)).where(KarmaRow.learner_id == learner)
            )
            or 0
        )
    return out


async def all_but_last_video(client: GatewayClient) -> str:
    """An enrolment where only u3-video stands between the learner and completion."""
    eid = await enrol(client)
    for res in resources("office-procedure"):
        rid = f"{COURSE}/{res['id']}"
        if res["kind"] not in ("QUIZ", "SURVEY") and rid != LAST:
            await client.graphql(PROGRESS, {"e": eid, "r": rid, "p": 100}, as_learner=ASHA)
    quiz, right = answers("office-procedure", right=True)
    await client.graphql(QUIZ, {"e": eid, "r": quiz, "a": right}, as_learner=ASHA)
    await client.graphql(FEEDBACK, {"e": eid, "rating": 4}, as_learner=ASHA)
    return eid


async def test_200_concurrent_progress_calls(client: GatewayClient) -> None:
    eid = await all_but_last_video(client)
    before = await counts(client)
    rng = random.Random(5)
    percents = [rng.randint(0, 100) for _ in range(200)]
    bodies = await asyncio.gather(
        *(client.graphql(PROGRESS, {"e": eid, "r": LAST, "p": p}, as_learner=ASHA) for p in percents)
    )
    assert all("errors" not in b for b in bodies)
    async with client.gateway.db.sessionmaker() as session:
        percent = await session.scalar(
            select(ResourceProgressRow.percent).where(
                ResourceProgressRow.enrolment_id == eid, ResourceProgressRow.resource_id == LAST
            )
        )
        enrolment = await session.get(EnrolmentRow, eid)
    assert percent == max(percents)
    assert enrolment is not None and enrolment.status == "COMPLETED"
    after = await counts(client)
    assert after["passbook_certificates"] - before["passbook_certificates"] == 1
    assert after["passbook_karma"] - before["passbook_karma"] == 1
    assert after["points"] - before["points"] == completion.COMPLETION_POINTS
    # one evidence row per tagged competency
    assert after["passbook_evidence"] - before["passbook_evidence"] == 2


async def test_progress_never_decreases_and_repeats_change_nothing(client: GatewayClient) -> None:
    eid = await enrol(client)
    rid = f"{COURSE}/u1-video"
    for p in (60, 30, 60, 0):
        body = await client.graphql(PROGRESS, {"e": eid, "r": rid, "p": p}, as_learner=ASHA)
    node = await client.graphql(
        "query($id: ID!) { node(id: $id) { ... on Enrolment { progressPercent resourceProgress { percent completed } } } }",
        {"id": eid},
        as_learner=ASHA,
    )
    assert node["data"]["node"]["resourceProgress"] == [{"percent": 60, "completed": False}]
    assert body["data"]["recordProgress"]["status"] == "IN_PROGRESS"
    done = await client.graphql(PROGRESS, {"e": eid, "r": rid, "p": 95}, as_learner=ASHA)
    assert not any(
        "lecture'" in m and "Receipts" in m for m in done["data"]["recordProgress"]["missingForCompletion"]
    )


async def test_same_external_completion_five_times(make_gateway: MakeGateway) -> None:
    client = await make_gateway(extra_plugins=[("extprov", ExternalPlugin())])
    event = ExternalCompletion(
        provider_id="extprov",
        event_id="evt-1",
        course_id=EXTERNAL_COURSE,
        learner_id=ASHA,
        completed_at=dt.datetime.now(dt.UTC),
        certificate_url="https://learn.example.invalid/cert/1",
    )
    backend = client.gateway.passbook
    assert backend is not None
    await asyncio.gather(*(backend.record_external_completion(event) for _ in range(5)))
    # a different event for the same completion changes nothing either
    await backend.record_external_completion(
        ExternalCompletion("extprov", "evt-2", EXTERNAL_COURSE, ASHA, dt.datetime.now(dt.UTC))
    )
    got = await counts(client)
    assert got["passbook_certificates"] == 1
    assert got["passbook_evidence"] == 1
    body = await client.graphql(
        """{ me { enrolments { edges { node { status course { id } } } }
              passbook { entries { evidence { channel contextId certificate { id } } } } } }""",
        as_learner=ASHA,
    )
    me = body["data"]["me"]
    assert me["enrolments"]["edges"] == [{"node": {"status": "COMPLETED", "course": {"id": EXTERNAL_COURSE}}}]
    (entry,) = me["passbook"]["entries"]
    assert entry["evidence"][0]["channel"] == "EXTERNAL_COURSE"
    assert entry["evidence"][0]["contextId"] == EXTERNAL_COURSE


async def test_failure_before_commit_leaves_no_trace(
    client: GatewayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    eid = await all_but_last_video(client)
    before = await counts(client)
    written: list[str] = []
    original = completion.add_evidence

    async def fail_after_certificate(session, enrolment, course, certificate, evidence_url):  # type: ignore[no-untyped-def]
        # the certificate row is in the transaction already
        assert await session.get(CertificateRow, certificate.id) is not None
        written.append(certificate.id)
        await original(session, enrolment, course, certificate, evidence_url)
        raise RuntimeError("forced failure before commit")

    monkeypatch.setattr(completion, "add_evidence", fail_after_certificate)
    body = await client.graphql(
        PROGRESS, {"e": eid, "r": LAST, "p": 100}, as_learner=ASHA, expect_errors=True
    )
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert written, "the failure was not reached"
    assert await counts(client) == before
    async with client.gateway.db.sessionmaker() as session:
        enrolment = await session.get(EnrolmentRow, eid)
        assert enrolment is not None and enrolment.status == "IN_PROGRESS"
        assert await session.get(CertificateRow, written[0]) is None
    monkeypatch.setattr(completion, "add_evidence", original)
    retry = await client.graphql(PROGRESS, {"e": eid, "r": LAST, "p": 100}, as_learner=ASHA)
    assert retry["data"]["recordProgress"]["status"] == "COMPLETED"
    after = await counts(client)
    assert after["passbook_certificates"] == before["passbook_certificates"] + 1
    assert after["points"] == before["points"] + completion.COMPLETION_POINTS
