"""Plans (assignment, status in Asia/Kolkata, karma), recommendations, the
organisation report with its CSV link, and the APAR export command."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlencode, urlsplit

from gateway.testing import GatewayClient, error_codes
from plugins.passbook import links
from plugins.passbook.models import PlanItemRow
from plugins.passbook.store import today_ist
from tests.plugins.passbook.helpers import ASHA, COURSE, FEEDBACK, QUIZ, RAHUL, answers, enrol, finish_viewing

VIKRAM = "learner:demo-vikram"  # MDO admin of org:dopt
ASSIGN = (
    "mutation($i: PlanInput!) { assignPlan(input: $i) { dueDate status course { id } assignedBy { id } } }"
)
PLAN = "{ me { plan { course { id } dueDate status assignedBy { id } } passbook { karmaPoints } } }"
RECS = "{ me { recommendations(first: 5) { course { id } reason score gaps { id } } } }"


def due_in(days: int) -> str:
    return (today_ist() + dt.timedelta(days=days)).isoformat()


async def complete_office_procedure(client: GatewayClient, who: str = ASHA) -> None:
    eid = await enrol(client, who)
    await finish_viewing(client, eid, who)
    quiz, right = answers("office-procedure", right=True)
    await client.graphql(QUIZ, {"e": eid, "r": quiz, "a": right}, as_learner=who)
    await client.graphql(FEEDBACK, {"e": eid, "rating": 5}, as_learner=who)


async def test_plan_items_by_designation_and_learner_with_status_and_karma(client: GatewayClient) -> None:
    by_designation = {
        "organisationId": "org:dopt",
        "courseIds": ["istm:rti-act"],
        "assignment": "DESIGNATION",
        "designation": "section officer",
        "dueDate": due_in(30),
    }
    items = (await client.graphql(ASSIGN, {"i": by_designation}, as_learner=VIKRAM))["data"]["assignPlan"]
    assert items == [
        {
            "dueDate": due_in(30),
            "status": "UPCOMING",
            "course": {"id": "istm:rti-act"},
            "assignedBy": {"id": "org:dopt"},
        }
    ]
    named = {
        "organisationId": "org:dopt",
        "courseIds": [COURSE],
        "assignment": "LEARNERS",
        "learnerIds": [ASHA],
        "dueDate": due_in(10),
    }
    await client.graphql(ASSIGN, {"i": named}, as_learner=VIKRAM)
    # an overdue item (written directly: assignPlan refuses past due dates)
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        session.add(
            PlanItemRow(
                organisation_id="org:dopt",
                course_id="istm:leave-rules",
                scope="ALL_LEARNERS",
                target="",
                due_date=today_ist() - dt.timedelta(days=1),
                assigned_by=VIKRAM,
            )
        )
    plan = (await client.graphql(PLAN, as_learner=ASHA))["data"]["me"]["plan"]
    assert [(p["course"]["id"], p["status"]) for p in plan] == [
        ("istm:leave-rules", "OVERDUE"),
        (COURSE, "UPCOMING"),
        ("istm:rti-act", "UPCOMING"),
    ]
    rahul = (await client.graphql(PLAN, as_learner=RAHUL))["data"]["me"]["plan"]
    assert [p["course"]["id"] for p in rahul] == ["istm:leave-rules"]  # not a Section Officer, not named

    await complete_office_procedure(client)
    me = (await client.graphql(PLAN, as_learner=ASHA))["data"]["me"]
    assert [(p["course"]["id"], p["status"]) for p in me["plan"]][1] == (COURSE, "DONE")
    # 5 first enrolment + 2 rating + 5 plan completion + 5 on time
    assert me["passbook"]["karmaPoints"] == 17


async def test_monthly_cap_on_rewarded_non_plan_completions(client: GatewayClient) -> None:
    from plugins.passbook.models import KarmaRow

    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        for i in range(4):
            session.add(
                KarmaRow(
                    learner_id=ASHA,
                    kind="COMPLETION",
                    points=5,
                    context_id=f"istm:x{i}",
                    awarded_at=dt.datetime.now(dt.UTC),
                )
            )
    await complete_office_procedure(client)
    async with client.gateway.db.sessionmaker() as session:
        from sqlalchemy import select

        row = await session.scalar(
            select(KarmaRow).where(
                KarmaRow.learner_id == ASHA, KarmaRow.context_id == COURSE, KarmaRow.kind == "COMPLETION"
            )
        )
    assert row is not None and row.points == 0
    assert "already rewarded" in row.note


async def test_recommendations_rank_plan_first_then_gaps_and_explain(client: GatewayClient) -> None:
    recs = (await client.graphql(RECS, as_learner=ASHA))["data"]["me"]["recommendations"]
    # Asha is a Section Officer in DoPT: every course below closes one of her gaps;
    # ties go to the shorter course, then the course id.
    assert [r["course"]["id"] for r in recs] == [
        "istm:e-office",
        "istm:office-procedure",
        "istm:gfr-financial-management",
        "istm:parliamentary-procedure",
        "istm:cyber-hygiene",
    ]
    assert recs[0]["gaps"] == [{"id": "comp:functional-office-procedure-e-office"}]
    assert recs[0]["reason"] == (
        "Covers 1 of the 9 competencies a Section Officer needs that your passbook does not show yet: "
        "Office procedure: e-Office."
    )
    assert recs == (await client.graphql(RECS, as_learner=ASHA))["data"]["me"]["recommendations"]

    await client.graphql(
        ASSIGN,
        {
            "i": {
                "organisationId": "org:dopt",
                "courseIds": ["istm:rti-act"],
                "assignment": "ALL_LEARNERS",
                "dueDate": due_in(20),
            }
        },
        as_learner=VIKRAM,
    )
    await client.graphql(
        'mutation { declareCompetency(competencyId: "comp:functional-office-procedure-e-office") { competency { id } } }',
        as_learner=ASHA,
    )
    eid = await enrol(client, ASHA, COURSE)
    await client.graphql(
        'mutation($e: ID!) { recordProgress(enrolmentId: $e, resourceId: "istm:office-procedure/u1-video", percent: 50) { id } }',
        {"e": eid},
        as_learner=ASHA,
    )
    recs = (await client.graphql(RECS, as_learner=ASHA))["data"]["me"]["recommendations"]
    ids = [r["course"]["id"] for r in recs]
    assert ids[0] == "istm:rti-act"  # plan items first
    assert recs[0]["reason"].startswith("In your annual plan from Department of Personnel and Training")
    assert "istm:e-office" not in ids  # the gap is closed by the declaration
    assert "istm:office-procedure" not in ids  # in progress
    assert recs[0]["score"] > recs[1]["score"]


async def test_declare_competency_adds_self_declared_evidence(client: GatewayClient) -> None:
    body = await client.graphql(
        """mutation { declareCompetency(competencyId: "comp:behavioural-leadership-team-building",
             evidenceUrl: "https://example.org/workshop") { competency { id } evidence { channel contextId } } }""",
        as_learner=ASHA,
    )
    entry = body["data"]["declareCompetency"]
    assert entry["evidence"] == [{"channel": "SELF_DECLARED", "contextId": "https://example.org/workshop"}]
    missing = await client.graphql(
        'mutation { declareCompetency(competencyId: "comp:nope") { competency { id } } }',
        as_learner=ASHA,
        expect_errors=True,
    )
    assert error_codes(missing) == ["NOT_FOUND"]


async def test_organisation_report_and_its_csv_link(client: GatewayClient) -> None:
    await client.graphql(
        ASSIGN,
        {
            "i": {
                "organisationId": "org:dopt",
                "courseIds": [COURSE],
                "assignment": "LEARNERS",
                "learnerIds": [ASHA, RAHUL],
                "dueDate": due_in(5),
            }
        },
        as_learner=VIKRAM,
    )
    await complete_office_procedure(client)
    query = '{ organisationReport(organisationId: "org:dopt") { organisation { id } learners planCompletion learningHours csvUrl } }'
    report = (await client.graphql(query, as_learner=VIKRAM))["data"]["organisationReport"]
    assert report["planCompletion"] == 0.5
    assert report["learningHours"] == 2.5
    assert report["learners"] >= 4
    denied = await client.graphql(query, as_learner=ASHA, expect_errors=True)
    assert error_codes(denied) == ["FORBIDDEN"]

    url = urlsplit(report["csvUrl"])
    response = await client.http.get(f"{url.path}?{url.query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == report["learners"]
    asha = next(r for r in rows if r["learner_id"] == ASHA)
    assert (
        asha["plan_items_done"],
        asha["plan_items_assigned"],
        asha["learning_hours"],
        asha["certificates"],
    ) == ("1", "1", "2.50", "1")

    tampered = url.query.replace("sig=", "sig=0")
    assert (await client.http.get(f"{url.path}?{tampered}")).status_code == 403
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    forged = urlencode({**params, "by": ASHA})
    assert forged != url.query
    assert (await client.http.get(f"{url.path}?{forged}")).status_code == 403
    secret = client.gateway.settings.secret_key.get_secret_value()
    expired = urlsplit(links.report_link("", secret, "org:dopt", VIKRAM, -5))
    gone = await client.http.get(f"{expired.path}?{expired.query}")
    assert gone.status_code == 403 and "expired" in gone.text
    # a valid link made for someone who does not administer the organisation
    for_asha = urlsplit(links.report_link("", secret, "org:dopt", ASHA, 60))
    assert (await client.http.get(f"{for_asha.path}?{for_asha.query}")).status_code == 403


async def test_apar_export_command(client: GatewayClient, database_url: str) -> None:
    await complete_office_procedure(client)
    env = {**os.environ, "KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOG_JSON": "false"}
    year = str(today_ist().year)
    run = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "gateway",
            "passbook",
            "export",
            "--year",
            year,
            "--organisation",
            "org:dopt",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    asha = next(learner for learner in data["learners"] if learner["learnerId"] == ASHA)
    assert asha["learningHours"] == 2.5
    assert [c["courseTitle"] for c in asha["certificates"]] == [
        "Central Secretariat Manual of Office Procedure"
    ]
    as_csv = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "gateway", "passbook", "export", "--year", year, "--organisation", "org:dopt"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines()[0].startswith("learner_id,name,designation")
    earlier = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "gateway",
            "passbook",
            "export",
            "--year",
            "2001",
            "--organisation",
            "org:dopt",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert all(learner["learningHours"] == 0 for learner in json.loads(earlier.stdout)["learners"])
    unknown = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "gateway", "passbook", "export", "--year", year, "--organisation", "org:nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert unknown.returncode == 1 and "No organisation" in unknown.stderr
