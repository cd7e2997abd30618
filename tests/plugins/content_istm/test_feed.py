"""ISTM's feed: the demo catalogue, syncing, and every bad feed refused whole."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from gateway.directory.models import CompetencyRow
from gateway.testing import GatewayClient
from plugins.content_istm.feed import FeedError
from plugins.content_istm.models import IstmCourseRow, IstmQuizKeyRow, IstmSyncRow
from plugins.content_istm.provider import IstmProvider
from schema.providers import UnknownQuiz
from tests.security.test_observability import metrics_text, sample

STRUCTURE = """
query($id: ID!) { course(id: $id) {
  id title languages durationMinutes category deliveryMode externalUrl
  competencies { competency { id area } }
  units { id title resources { id kind required durationMinutes contentUrl lowBandwidthUrl
    quiz { id passPercentage maxAttempts questions { id text options multipleAnswers } } } }
} }
"""


def istm(client: GatewayClient) -> IstmProvider:
    provider = client.gateway.providers["istm"]
    assert isinstance(provider, IstmProvider)
    return provider


async def test_demo_feed_has_the_staple_subjects_each_a_whole_course(client: GatewayClient) -> None:
    feed_courses = await istm(client).search(None)
    assert len(feed_courses.summaries) >= 12
    async with client.gateway.db.sessionmaker() as session:
        known = set((await session.scalars(select(CompetencyRow.id))).all())
    kinds: set[str] = set()
    low_bandwidth = 0
    for summary in feed_courses.summaries:
        body = await client.graphql(STRUCTURE, {"id": summary.id})
        course = body["data"]["course"]
        assert course["deliveryMode"] == "HOSTED" and course["externalUrl"] is None
        assert 2 <= len(course["units"]) <= 4, course["id"]
        resources = [r for u in course["units"] for r in u["resources"]]
        course_kinds = {r["kind"] for r in resources}
        assert len(course_kinds) >= 3, course["id"]
        kinds |= course_kinds
        quizzes = [r for r in resources if r["kind"] == "QUIZ"]
        assert any(q["required"] for q in quizzes), f"{course['id']} lacks a required quiz"
        assert all(q["quiz"]["passPercentage"] > 0 for q in quizzes)
        assert any(r["kind"] == "SURVEY" and r["required"] for r in resources), course["id"]
        low_bandwidth += sum(1 for r in resources if r["lowBandwidthUrl"])
        assert all(r["kind"] == "VIDEO" for r in resources if r["lowBandwidthUrl"])
        tags = [c["competency"]["id"] for c in course["competencies"]]
        assert tags and set(tags) <= known
    assert kinds == {"VIDEO", "AUDIO", "DOCUMENT", "SCORM", "QUIZ", "SURVEY", "OFFLINE_SESSION", "LINK"}
    assert low_bandwidth > 0
    titles = " ".join(s.title for s in feed_courses.summaries)
    for subject in (
        "Office Procedure",
        "Noting and Drafting",
        "Right to Information",
        "Financial Rules",
        "Procurement",
        "Leave",
        "Pension",
        "Parliamentary",
        "Cabinet",
        "e-Office",
        "Vigilance",
    ):
        assert subject in titles


async def test_answer_keys_stay_in_the_provider_and_grade_quizzes(client: GatewayClient) -> None:
    body = await client.graphql(STRUCTURE, {"id": "istm:rti-act"}, as_learner="learner:demo-asha")
    assert b"answers" not in orjson.dumps(body)
    quiz = next(r["quiz"] for u in body["data"]["course"]["units"] for r in u["resources"] if r["quiz"])
    quiz_id = quiz["id"]
    async with client.gateway.db.sessionmaker() as session:
        key = await session.get(IstmQuizKeyRow, quiz_id)
    assert key is not None
    right = {qid: idx for qid, idx in key.answers.items()}
    result = await istm(client).grade_quiz(quiz_id, right)
    assert (result.correct, result.total, result.score_percent, result.passed) == (3, 3, 100, True)
    one_wrong = dict(right)
    first = next(iter(one_wrong))
    one_wrong[first] = [(right[first][0] + 1) % 3]
    one_wrong.pop(list(right)[1])  # unanswered counts as wrong
    result = await istm(client).grade_quiz(quiz_id, one_wrong)
    assert (result.correct, result.score_percent, result.passed) == (1, 33, False)
    with pytest.raises(UnknownQuiz):
        await istm(client).grade_quiz("istm:rti-act/no-such-quiz", {})
    with pytest.raises(ValueError, match=r"options 0\.\.2"):
        await istm(client).grade_quiz(quiz_id, {first: [7]})
    with pytest.raises(ValueError, match="no question"):
        await istm(client).grade_quiz(quiz_id, {"istm:rti-act/final/q99": [0]})


async def _catalogue_state(client: GatewayClient) -> tuple[int, int, list[str]]:
    async with client.gateway.db.sessionmaker() as session:
        courses = await session.scalar(select(func.count()).select_from(IstmCourseRow))
        keys = await session.scalar(select(func.count()).select_from(IstmQuizKeyRow))
        versions = list((await session.scalars(select(IstmSyncRow.version))).all())
    return int(courses or 0), int(keys or 0), versions


def _write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "feed.json"
    path.write_bytes(data if isinstance(data, bytes) else orjson.dumps(data))
    return str(path)


def _unknown_competency(feed: dict[str, Any]) -> None:
    feed["courses"][2]["competencies"].append({"id": "comp:functional-astrology"})


def _duplicate_ids(feed: dict[str, Any]) -> None:
    feed["courses"].append(copy.deepcopy(feed["courses"][0]))


def _missing_title(feed: dict[str, Any]) -> None:
    del feed["courses"][1]["units"][0]["title"]


def _quiz_key_out_of_range(feed: dict[str, Any]) -> None:
    quiz = feed["courses"][3]["units"][-1]["resources"][-2]["quiz"]
    quiz["questions"][0]["answers"] = [9]


def _collection_names_missing_course(feed: dict[str, Any]) -> None:
    feed["collections"][0]["courseIds"].append("istm:no-such-course")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_unknown_competency, "course 'rti-act' (courses[2]): competencies[2].id: unknown competency"),
        (_duplicate_ids, "course 'office-procedure' (courses[15]): id: duplicate course id"),
        (_missing_title, "course 'noting-and-drafting' (courses[1]): units[0].title: Field required"),
        (
            _quiz_key_out_of_range,
            "course 'establishment-rules' (courses[3]): units[2].resources[2].quiz.questions[0]: Value error, answers must be option indexes",
        ),
        (_collection_names_missing_course, "'istm:no-such-course' is not a course of this feed"),
    ],
)
async def test_a_bad_feed_is_refused_whole_naming_course_and_field(
    client: GatewayClient, demo_feed: dict[str, Any], tmp_path: Path, mutate: Any, expected: str
) -> None:
    before = await _catalogue_state(client)
    demo_feed["version"] = "2026.11.1"
    demo_feed["courses"][0]["title"] = "A title that must not go live"
    mutate(demo_feed)
    with pytest.raises(FeedError) as refused:
        await istm(client).sync(_write(tmp_path, demo_feed))
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    assert await _catalogue_state(client) == before
    body = await client.graphql('{ course(id: "istm:office-procedure") { title } }')
    assert body["data"]["course"]["title"] == "Central Secretariat Manual of Office Procedure"


async def test_a_malformed_feed_is_refused_and_nothing_changes(client: GatewayClient, tmp_path: Path) -> None:
    before = await _catalogue_state(client)
    for data in (b'{"schemaVersion": 1, "courses": [', b"[1, 2]", b'{"schemaVersion": 9}'):
        with pytest.raises(FeedError):
            await istm(client).sync(_write(tmp_path, data))
    with pytest.raises(FeedError, match="cannot read the feed file"):
        await istm(client).sync(str(tmp_path / "missing.json"))
    assert await _catalogue_state(client) == before


async def test_a_good_feed_replaces_the_catalogue(
    client: GatewayClient, demo_feed: dict[str, Any], tmp_path: Path
) -> None:
    demo_feed["version"] = "2026.11.1"
    demo_feed["courses"] = demo_feed["courses"][:12]
    demo_feed["courses"][0]["title"] = "Manual of Office Procedure, 2026 edition"
    demo_feed["collections"] = []
    report = await istm(client).sync(_write(tmp_path, demo_feed))
    assert (report.courses, report.unchanged) == (12, False)
    again = await istm(client).sync(_write(tmp_path, demo_feed))
    assert again.unchanged
    courses, _, versions = await _catalogue_state(client)
    assert courses == 12 and versions[-1] == "2026.11.1"
    body = await client.graphql(
        '{ courses(search: "2026 edition") { totalCount edges { node { title } } } '
        "providers { id status courseCount } }"
    )
    assert body["data"]["courses"]["totalCount"] == 1
    istm_row = next(p for p in body["data"]["providers"] if p["id"] == "istm")
    assert istm_row["courseCount"] == 12 and "2026.11.1" in istm_row["status"]


def test_cli_syncs_a_feed_file_and_refuses_a_bad_one(
    database_url: str, demo_feed: dict[str, Any], tmp_path: Path
) -> None:
    env = {**os.environ, "KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOG_JSON": "false"}
    run = [sys.executable, "-m", "gateway", "catalogue", "sync", "istm"]
    good = subprocess.run(
        [*run, _write(tmp_path, demo_feed)], env=env, capture_output=True, text=True, timeout=120
    )
    assert good.returncode == 0, good.stderr
    assert "courses=15" in good.stdout
    _unknown_competency(demo_feed)
    bad_path = tmp_path / "bad.json"
    bad_path.write_bytes(orjson.dumps(demo_feed))
    bad = subprocess.run([*run, str(bad_path)], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "unknown competency 'comp:functional-astrology'" in bad.stderr


async def test_syncs_show_at_metrics_and_a_refused_feed_counts_as_an_error(
    client: GatewayClient, demo_feed: dict[str, Any], tmp_path: Path
) -> None:
    demo_feed["version"] = "2026.11.2"
    await istm(client).sync(_write(tmp_path, demo_feed))
    with pytest.raises(FeedError):
        await istm(client).sync(str(tmp_path / "missing.json"))
    text = await metrics_text(client)
    assert sample(text, "karmayogi_provider_call_duration_seconds_count", provider="istm", call="sync") == 2
    assert sample(text, "karmayogi_provider_errors_total", provider="istm", kind="FeedError") == 1
