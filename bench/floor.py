"""The hand-compiled floor: the dashboard operation (``queries/dashboard.graphql``)
written directly on asyncpg and orjson, as a bare ASGI endpoint.

No GraphQL machinery at all: the one operation it answers is compiled by hand
into 8 SQL statements (asyncpg prepared statements, through its statement
cache: the learner with their organisation, enrolments, evidence,
certificates, karma, plan items, designation needs, then the competencies and
plan organisations named in one last statement) and an answer built in plain
Python, byte for byte the gateway's JSON. It is what Python can do for this
query on this machine, the floor the gateway's compiled execution is measured
against. PostgreSQL only.

    BENCH_DATABASE_URL=postgresql+asyncpg://... BENCH_COURSES=2000 \\
        uvicorn bench.floor:app --workers 2

Identity is the bench's: ``X-Test-Learner: <learner id or email>``, checked
against the learners table (the statement that reads the learner). A request
for any other operation gets HTTP 400.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench import dashboard_rules as rules
from bench.baseline_catalogue import (
    IGNOU_DOCUMENTS,
    ISTM_DOCUMENTS,
    PROVIDER_NAMES,
    Catalogue,
    build,
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DASHBOARD = (Path(__file__).parent / "queries" / "dashboard.graphql").read_text()
FIRST_ENROLMENTS = 20
FIRST_RECOMMENDATIONS = 5

_LEARNER = """SELECT l.id, l.name, l.designation, l.organisation_id, o.name, o.path
FROM learners l LEFT JOIN organisations o ON o.id = l.organisation_id WHERE """
LEARNER_BY_ID = _LEARNER + "l.id = $1"
LEARNER_BY_EMAIL = _LEARNER + "lower(l.email) = lower($1)"
ENROLMENTS = """SELECT id, course_id, status, progress_percent, duration_minutes, completed_at
FROM passbook_enrolments WHERE learner_id = $1 ORDER BY enrolled_at DESC, id"""
EVIDENCE = """SELECT competency_id, level, channel, context_id, course_id, certificate_id, acquired_at
FROM passbook_evidence WHERE learner_id = $1 ORDER BY acquired_at, id"""
CERTIFICATES = """SELECT id, enrolment_id, access_code FROM passbook_certificates
WHERE learner_id = $1 ORDER BY issued_at, id"""
KARMA = "SELECT coalesce(sum(points), 0) FROM passbook_karma WHERE learner_id = $1"
PLAN = """SELECT id, organisation_id, course_id, scope, target, due_date FROM passbook_plan_items
WHERE organisation_id = ANY($1::varchar[]) OR (scope = 'LEARNER' AND target = $2)"""
NEEDS = """SELECT organisation_id, competency_id, level FROM designation_competencies
WHERE organisation_id = ANY($1::varchar[]) AND designation_key = $2 ORDER BY id"""
NAMES = """SELECT id, area, theme, sub_theme FROM competencies WHERE id = ANY($1::varchar[])
UNION ALL SELECT id, NULL, name, NULL FROM organisations WHERE id = ANY($2::varchar[])"""

NO_LEARNER = b'{"data":{"me":null}}'


class Floor:
    """The pool, the catalogue and the settings of one worker."""

    def __init__(
        self,
        dsn: str,
        courses: int,
        public_url: str,
        on_connect: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    ) -> None:
        self.dsn = dsn
        self.on_connect = on_connect
        self.courses = courses
        self.public_url = public_url.rstrip("/")
        self.pool: asyncpg.Pool | None = None
        self.catalogue: Catalogue | None = None
        self.providers = {pid: {"id": pid, "name": name} for pid, name in PROVIDER_NAMES.items()}

    async def start(self) -> None:
        # No reset when a connection goes back to the pool (asyncpg's default
        # is one more round trip per request): the floor changes no session state.
        self.pool = await asyncpg.create_pool(
            self.dsn, min_size=2, max_size=10, init=self.on_connect, reset=_keep_session
        )
        async with self.pool.acquire() as conn:
            istm = [orjson.loads(r[0]) for r in await conn.fetch(ISTM_DOCUMENTS)]
            ignou = [orjson.loads(r[0]) for r in await conn.fetch(IGNOU_DOCUMENTS)]
        self.catalogue = build(self.courses, istm, ignou)

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def dashboard(self, who: str) -> bytes:
        assert self.pool is not None and self.catalogue is not None
        async with self.pool.acquire() as conn:
            learner = await conn.fetchrow(
                LEARNER_BY_ID if who.startswith("learner:") else LEARNER_BY_EMAIL, who
            )
            if learner is None:
                return NO_LEARNER
            lid, designation, path = learner[0], learner[2], learner[5]
            enrolments = await conn.fetch(ENROLMENTS, lid)
            evidence = await conn.fetch(EVIDENCE, lid)
            certificates = await conn.fetch(CERTIFICATES, lid)
            karma = await conn.fetchval(KARMA, lid)
            orgs = rules.ancestors(path)
            plan_rows = await conn.fetch(PLAN, orgs, lid)
            needs_rows = (
                await conn.fetch(NEEDS, orgs, rules.name_key(designation)) if designation and path else []
            )
            plan = rules.effective_plan(plan_rows, lid, designation, path)
            needs = [cid for cid, _ in rules.designation_needs(needs_rows, path)]
            held = {e[0] for e in evidence}
            ranking = rules.ranking(
                needs=needs,
                held=held,
                index=self.catalogue.index,
                enrolled=[(e[1], e[2]) for e in enrolments],
                plan=plan,
                first=FIRST_RECOMMENDATIONS,
            )
            courses = self.catalogue.courses
            wanted = {cid for e in enrolments[:FIRST_ENROLMENTS] for cid, _ in _tags(courses, e[1])}
            wanted |= held
            wanted |= {gap for c in ranking.candidates for gap in c.gaps}
            wanted |= {gap for gap in needs if gap not in held}  # named in the reasons
            plan_orgs = sorted({p.organisation_id for p in plan})
            names = await conn.fetch(NAMES, sorted(wanted), plan_orgs)
        competencies = {r[0]: r for r in names if r[1] is not None}
        org_names = {r[0]: r[2] for r in names if r[1] is None}
        answer = {
            "id": lid,
            "name": learner[1],
            "designation": designation,
            "profileComplete": bool(learner[3] and (designation or "").strip()),
            "organisation": {"id": learner[3], "name": learner[4]} if learner[4] is not None else None,
            "enrolments": self._enrolments(enrolments, certificates, competencies),
            "passbook": self._passbook(enrolments, evidence, certificates, karma, competencies),
            "plan": self._plan(plan, enrolments, org_names),
            "recommendations": self._recommendations(ranking, designation, competencies, org_names),
        }
        return orjson.dumps({"data": {"me": answer}})

    def _course(self, course_id: str) -> dict[str, Any]:
        course = self.catalogue.courses[course_id]  # type: ignore[union-attr]
        return {"id": course.id, "title": course.title}

    def _enrolments(
        self, rows: list[asyncpg.Record], certificates: list[asyncpg.Record], competencies: dict[str, Any]
    ) -> dict[str, Any]:
        courses = self.catalogue.courses  # type: ignore[union-attr]
        by_enrolment: dict[str, asyncpg.Record] = {}
        for certificate in certificates:  # the first issued, as the passbook answers
            by_enrolment.setdefault(certificate[1], certificate)
        edges = []
        for enrolment_id, course_id, status, progress, _, _ in rows[:FIRST_ENROLMENTS]:
            course = courses[course_id]
            certificate = by_enrolment.get(enrolment_id) if status == "COMPLETED" else None
            edges.append(
                {
                    "node": {
                        "id": enrolment_id,
                        "status": status,
                        "progressPercent": progress,
                        "course": {
                            "id": course.id,
                            "title": course.title,
                            "provider": self.providers[course.provider_id],
                            "competencies": [
                                {
                                    "competency": {"id": cid, "theme": c[2], "subTheme": c[3]},
                                    "level": level or None,
                                }
                                for cid, level in course.competencies
                                if (c := competencies.get(cid)) is not None
                            ],
                        },
                        "certificate": None
                        if certificate is None
                        else {
                            "id": certificate[0],
                            "accessCode": certificate[2],
                            "verifyUrl": f"{self.public_url}/passbook/verify/{certificate[0]}?code={certificate[2]}",
                            "downloadUrl": f"{self.public_url}/passbook/certificates/{certificate[0]}.pdf"
                            f"?code={certificate[2]}",
                        },
                    }
                }
            )
        return {"totalCount": len(rows), "edges": edges}

    def _passbook(
        self,
        enrolments: list[asyncpg.Record],
        evidence: list[asyncpg.Record],
        certificates: list[asyncpg.Record],
        karma: int,
        competencies: dict[str, Any],
    ) -> dict[str, Any]:
        courses = self.catalogue.courses  # type: ignore[union-attr]
        certificate_ids = {c[0] for c in certificates}
        grouped: dict[str, list[asyncpg.Record]] = {}
        for row in evidence:
            grouped.setdefault(row[0], []).append(row)
        entries = []
        for competency_id, rows in grouped.items():
            c = competencies.get(competency_id)
            if c is None:
                continue
            entries.append(
                (
                    (c[1], c[2], c[3] or ""),
                    {
                        "competency": {"id": c[0], "area": c[1], "theme": c[2], "subTheme": c[3]},
                        "level": rules.highest_level(r[1] for r in rows),
                        "lastAcquiredAt": max(r[6] for r in rows).astimezone(rules.IST).isoformat(),
                        "evidence": [
                            {
                                "channel": r[2],
                                "contextId": r[3],
                                "acquiredAt": r[6].astimezone(rules.IST).isoformat(),
                                "certificate": {"id": r[5]} if r[5] in certificate_ids else None,
                                "course": self._course(r[4]) if r[4] in courses else None,
                            }
                            for r in rows
                        ],
                    },
                )
            )
        entries.sort(key=lambda pair: pair[0])
        return {
            "karmaPoints": int(karma),
            "learningHours": rules.learning_hours((e[2], e[4], e[5]) for e in enrolments),
            "entries": [entry for _, entry in entries],
        }

    def _plan(
        self, plan: list[Any], enrolments: list[asyncpg.Record], org_names: dict[str, str]
    ) -> list[Any]:
        done = {e[1] for e in enrolments if e[2] == "COMPLETED"}
        on = rules.today()
        return [
            {
                "course": self._course(item.course_id),
                "dueDate": item.due_date.isoformat(),
                "status": rules.plan_status(item.due_date, item.course_id in done, on),
                "assignedBy": {"id": item.organisation_id, "name": org_names[item.organisation_id]},
            }
            for item in plan
        ]

    def _recommendations(
        self, ranking: Any, designation: str | None, competencies: dict[str, Any], org_names: dict[str, str]
    ) -> list[Any]:
        names = {cid: rules.competency_name(c[2], c[3]) for cid, c in competencies.items()}
        return [
            {
                "course": self._course(r.course_id),
                "reason": r.reason,
                "score": r.score,
                "gaps": [{"id": gap, "theme": competencies[gap][2]} for gap in r.gaps if gap in competencies],
            }
            for r in rules.explain(ranking, designation, names, org_names)
        ]


async def _keep_session(_: asyncpg.Connection) -> None:
    return None


def _tags(courses: Any, course_id: str) -> tuple[tuple[str, str | None], ...]:
    course = courses.get(course_id)
    return course.competencies if course is not None else ()


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def make_app(
    url: str,
    courses: int,
    public_url: str,
    on_connect: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The floor's ASGI app; ``on_connect`` runs on each new pool connection
    (``bench.counts`` attaches its statement counter there)."""
    floor = Floor(_dsn(url), courses, public_url, on_connect)

    async def respond(send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await floor.start()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await floor.stop()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["path"] == "/healthz":
            await respond(send, 200, b'{"status":"ok"}')
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError:
            params = None
        if scope["path"] != "/graphql" or not isinstance(params, dict) or params.get("query") != DASHBOARD:
            await respond(
                send, 400, b'{"errors":[{"message":"The floor answers the dashboard operation only."}]}'
            )
            return
        who = next((v.decode() for k, v in scope["headers"] if k == b"x-test-learner"), None)
        await respond(send, 200, await floor.dashboard(who) if who else NO_LEARNER)

    app.floor = floor  # type: ignore[attr-defined]
    return app


def app_from_environment() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """uvicorn factory: BENCH_DATABASE_URL, BENCH_COURSES, BENCH_PUBLIC_URL."""
    return make_app(
        os.environ["BENCH_DATABASE_URL"],
        int(os.environ.get("BENCH_COURSES", "60")),
        os.environ.get("BENCH_PUBLIC_URL", "http://127.0.0.1:8000"),
    )
