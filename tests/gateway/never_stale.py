"""The never-stale scenario, shared by the in-process and the two-server tests.

Writes go through one side, dashboard reads through the other, while a
background reader keeps asking the reading side (so answers computed before a
write sit in the cache). Every read records when it started; every write when
it answered. The check: no read that started after a write answered shows data
older than that write.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.plugins.passbook.helpers import FEEDBACK, PROGRESS, QUIZ, answers, resources

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = (ROOT / "bench" / "queries" / "dashboard.graphql").read_text()
ROLES = "query Roles { me { id roles } }"
ASHA, VIKRAM, ADMIN = "learner:demo-asha", "learner:demo-vikram", "learner:demo-admin"
COURSE = "istm:office-procedure"
PLANNED = "istm:rti-act"
NEW_TITLE = "Office Procedure, revised edition"

Post = Callable[[str, str, dict[str, Any] | None, str], Awaitable[dict[str, Any]]]
"""``post(side, query, variables, who)``: side is "write" or "read"."""


def changed_feed(directory: Path) -> Path:
    """The demo ISTM feed with the office procedure course renamed."""
    feed = json.loads((ROOT / "plugins" / "content_istm" / "demo_feed.json").read_text())
    feed["version"] = f"{feed['version']}-renamed"
    for course in feed["courses"]:
        if course["id"] == "office-procedure":
            course["title"] = NEW_TITLE
    path = directory / "renamed_feed.json"
    path.write_text(json.dumps(feed))
    return path


def edges(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in body["data"]["me"]["enrolments"]["edges"]]


@dataclass
class Check:
    name: str
    kind: str  # the read it applies to: "dashboard" or "roles"
    holds: Callable[[dict[str, Any]], bool]
    answered_at: float = 0.0


@dataclass
class Scenario:
    post: Post
    checks: list[Check] = field(default_factory=list)
    reads: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self, kind: str) -> dict[str, Any]:
        started = time.monotonic()
        body = await self.post("read", DASHBOARD if kind == "dashboard" else ROLES, None, ASHA)
        assert "errors" not in body, body
        self.reads.append((kind, started, body))
        return body

    async def background(self) -> None:
        while not self.stop.is_set():
            await self.read("dashboard")
            await self.read("roles")

    async def wrote(self, check: Check) -> None:
        """After a write answered: note when, then read at once and check."""
        check.answered_at = time.monotonic()
        self.checks.append(check)
        body = await self.read(check.kind)
        assert check.holds(body), f"{check.name}: the read after the write is stale: {body}"

    async def write(self, query: str, variables: dict[str, Any], who: str) -> dict[str, Any]:
        body = await self.post("write", query, variables, who)
        assert "errors" not in body, body
        return body["data"]

    async def run_writes(self, sync_catalogue: Callable[[], Awaitable[None]]) -> None:
        # Warm both reads, so the old answers are in the cache.
        for kind in ("dashboard", "roles", "dashboard"):
            await self.read(kind)
        enrolled = await self.write("mutation($c: ID!) { enrol(courseId: $c) { id } }", {"c": COURSE}, ASHA)
        enrolment = enrolled["enrol"]["id"]
        await self.wrote(Check("enrol", "dashboard", lambda b: any(n["id"] == enrolment for n in edges(b))))

        progress = await self.write(
            "mutation($e: ID!, $r: ID!) { recordProgress(enrolmentId: $e, resourceId: $r, percent: 100)"
            " { progressPercent } }",
            {"e": enrolment, "r": f"{COURSE}/u1-video"},
            ASHA,
        )
        percent = progress["recordProgress"]["progressPercent"]
        assert percent > 0
        await self.wrote(
            Check(
                "recordProgress",
                "dashboard",
                lambda b: any(n["id"] == enrolment and n["progressPercent"] >= percent for n in edges(b)),
            )
        )

        await self.complete(enrolment)
        await self.wrote(
            Check(
                "completion",
                "dashboard",
                lambda b: any(
                    n["id"] == enrolment and n["status"] == "COMPLETED" and n["certificate"] for n in edges(b)
                ),
            )
        )

        due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        plan = {
            "organisationId": "org:dopt",
            "courseIds": [PLANNED],
            "assignment": "LEARNERS",
            "learnerIds": [ASHA],
            "dueDate": due,
        }
        await self.write(
            "mutation($i: PlanInput!) { assignPlan(input: $i) { dueDate } }", {"i": plan}, VIKRAM
        )
        await self.wrote(
            Check(
                "assignPlan",
                "dashboard",
                lambda b: any(p["course"]["id"] == PLANNED for p in b["data"]["me"]["plan"]),
            )
        )

        await self.write(
            'mutation { grantRole(learnerId: "learner:demo-asha", role: MDO_ADMIN, organisationId: "org:dopt")'
            " { id } }",
            {},
            ADMIN,
        )
        await self.wrote(Check("grantRole", "roles", lambda b: "MDO_ADMIN" in b["data"]["me"]["roles"]))

        await sync_catalogue()
        await self.wrote(
            Check(
                "catalogue sync",
                "dashboard",
                lambda b: any(
                    n["course"]["title"] == NEW_TITLE for n in edges(b) if n["course"]["id"] == COURSE
                ),
            )
        )

    async def complete(self, enrolment: str) -> None:
        """View every resource, pass the quiz and rate the course: a certificate."""
        for resource in resources("office-procedure"):
            if resource["kind"] not in ("QUIZ", "SURVEY"):
                variables = {"e": enrolment, "r": f"{COURSE}/{resource['id']}", "p": 100}
                await self.write(PROGRESS, variables, ASHA)
        quiz, right = answers("office-procedure", right=True)
        await self.write(QUIZ, {"e": enrolment, "r": quiz, "a": right}, ASHA)
        await self.write(FEEDBACK, {"e": enrolment, "rating": 5}, ASHA)

    def verify(self) -> None:
        """Every read that started after a write answered reflects that write."""
        checked = 0
        for check in self.checks:
            for kind, started, body in self.reads:
                if kind == check.kind and started > check.answered_at:
                    checked += 1
                    assert check.holds(body), f"a read after {check.name} answered is stale"
        assert checked >= len(self.checks), (checked, len(self.checks))
