"""Test helpers for the gateway and for plugin authors.

Use as a pytest plugin (``pytest_plugins = ["gateway.testing"]``). Fixtures:

* ``database_url``: a fresh, empty database per test. SQLite in ``tmp_path``
  by default; PostgreSQL when ``KARMAYOGI_TEST_DATABASE_URL`` names one (its
  ``public`` schema is reset for each test). An unreachable server fails the
  test; it never skips.
* ``make_gateway``: ``await make_gateway(extra_plugins=[...], **settings)``
  starts a gateway (migrated, demo data unless ``load_demo_data=False``) and
  returns a :class:`GatewayClient`; everything is stopped after the test.
  Every query compiles at first sight and is checked against graphql-core
  (``execution.verify = "replay"``, docs/execution.md): a test fails if any
  answer differed. Pass ``execution={...}`` to choose otherwise.
* ``client``: ``make_gateway()`` with the demo data and the header identity.
* ``sql_counter``: counts SQL statements (``with sql_counter as c: ...; c.count``).

``GatewayClient.session_token(who)`` gives a real session token (send it as
``Authorization: Bearer``); ``GatewayClient.browser()`` an HTTPS client with
its own cookie jar, for sign-in flows.

Requests sign in with the ``X-Test-Learner`` header (a learner id or email),
understood by :data:`header_identity`, a plugin registered only in tests.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import pytest
from sqlalchemy import bindparam, event, func, select
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from gateway.app import create_app
from gateway.db.reads import Query, columns, fetch_on
from gateway.directory.models import LearnerRow
from gateway.directory.records import Learner
from gateway.execution.verify import VERIFYING
from gateway.hookspecs import hookimpl
from gateway.host import Gateway
from gateway.settings import load_settings
from schema.identity import Principal
from schema.providers import (
    CollectionRecord,
    CourseBatch,
    CourseRecord,
    CourseSummary,
    GradingResult,
    ProviderHealth,
    SearchAnswer,
)
from schema.services import SIGN_IN

TEST_DATABASE_ENV = "KARMAYOGI_TEST_DATABASE_URL"


_SIGN_IN = Query(Learner, select(*columns(Learner, LearnerRow)).where(LearnerRow.id == bindparam("id")))


class HeaderIdentity:
    """Test-only identity source: ``X-Test-Learner: <learner id or email>``."""

    @hookimpl
    async def principal_from_request(self, request: HTTPConnection, gateway: Gateway) -> Principal | None:
        who = request.headers.get("x-test-learner")
        if not who:
            return None
        if who.startswith("learner:"):  # a lean read: the benchmarks sign in this way on every request
            found = await fetch_on(gateway.db.lean_primary, _SIGN_IN, {"id": who})
            if not found:
                return None
            # the whole record, as the request's learner loads read it: they start from it
            return Principal(learner_id=found[0].id, source="test-header", learner=found[0])
        else:
            async with gateway.db.sessionmaker() as session:
                learner_id = await session.scalar(
                    select(LearnerRow.id).where(func.lower(LearnerRow.email) == who.lower())
                )
        if learner_id is None:
            return None
        return Principal(learner_id=learner_id, source="test-header")


header_identity = HeaderIdentity()

_PRODUCTION_KEY: list[str] = []


def production_plugin_settings() -> dict[str, Any]:
    """Plugin sections production requires that development fills in itself:
    a session signing key and the passbook's certificate key (generated once
    per test run). Use as
    ``load_settings(environment="production", plugins=production_plugin_settings(), ...)``."""
    if not _PRODUCTION_KEY:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _PRODUCTION_KEY.append(pem.decode())
    return {
        "identity": {"session_keys": [{"kid": "test", "private_key": _PRODUCTION_KEY[0]}]},
        "passbook": {"signing_key": _PRODUCTION_KEY[0]},
    }


async def reset_postgres_async(url: str) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except Exception as exc:  # the service must be up: fail, never skip
        pytest.fail(f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {exc}")
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@dataclass
class GatewayClient:
    """An app, its gateway and an HTTP client bound to it."""

    app: Starlette
    gateway: Gateway
    http: httpx.AsyncClient
    default_headers: dict[str, str] = field(default_factory=dict)
    browsers: list[httpx.AsyncClient] = field(default_factory=list)

    def browser(self) -> httpx.AsyncClient:
        """A new HTTPS client on the app with its own cookie jar (Secure
        cookies are only sent over https), closed after the test."""
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="https://testserver")
        self.browsers.append(http)
        return http

    async def session_token(self, who: str) -> str:
        """A real gateway session token for a learner (id or email), as the
        identity plugin would issue after sign-in. Send it as
        ``headers={"Authorization": f"Bearer {token}"}``."""

        condition = (
            LearnerRow.id == who
            if who.startswith("learner:")
            else func.lower(LearnerRow.email) == who.lower()
        )
        async with self.gateway.db.sessionmaker() as session:
            learner_id = await session.scalar(select(LearnerRow.id).where(condition))
        if learner_id is None:
            raise AssertionError(f"no learner {who}")
        issued = await self.gateway.service(SIGN_IN).start(learner_id, "test")
        return issued.access_token

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_learner: str | None = None,
        headers: dict[str, str] | None = None,
        expect_errors: bool = False,
    ) -> dict[str, Any]:
        """POST a query; fail the test on unexpected errors unless ``expect_errors``."""
        all_headers = dict(self.default_headers)
        if as_learner is not None:
            all_headers["x-test-learner"] = as_learner
        all_headers.update(headers or {})
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=all_headers
        )
        body: dict[str, Any] = response.json()
        if not expect_errors and body.get("errors"):
            raise AssertionError(f"unexpected GraphQL errors: {body['errors']}")
        body["_status"] = response.status_code
        return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def _worker_database(url: str, worker: str) -> str:
    """``url`` with its database suffixed by the pytest-xdist worker, created if
    missing: each worker resets only its own database's schema."""
    import asyncio

    import asyncpg

    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)

    async def create() -> None:
        conn = await asyncpg.connect(admin, timeout=10)
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(create())
    except Exception as exc:  # the service must be up: fail, never skip
        raise pytest.UsageError(f"PostgreSQL at {parsed.render_as_string()} is unreachable: {exc}") from exc
    return parsed.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, give each worker its own PostgreSQL database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get(TEST_DATABASE_ENV)
    if worker and url and url.startswith("postgresql"):
        os.environ[TEST_DATABASE_ENV] = _worker_database(url, worker)


@pytest.fixture
async def database_url(tmp_path: Any) -> str:
    url = os.environ.get(TEST_DATABASE_ENV)
    if url:
        await reset_postgres_async(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


MakeGateway = Callable[..., Awaitable[GatewayClient]]


@pytest.fixture
async def make_gateway(database_url: str) -> AsyncIterator[MakeGateway]:
    started: list[GatewayClient] = []

    async def make(
        *, extra_plugins: list[tuple[str, object]] | None = None, **overrides: Any
    ) -> GatewayClient:
        overrides.setdefault("database_url", database_url)
        overrides.setdefault("load_demo_data", True)
        overrides.setdefault("log_json", False)
        # Tests start from empty learning records (the demo's are for people trying the product).
        allow, block = overrides.get("plugins_allow"), overrides.get("plugins_block") or []
        if "passbook" not in block and (allow is None or "passbook" in allow):
            plugin_sections = dict(overrides.get("plugins") or {})
            passbook = {"demo_learning_records": False, **plugin_sections.get("passbook", {})}
            overrides["plugins"] = {**plugin_sections, "passbook": passbook}
        # Every query compiles at first sight and is checked against graphql-core.
        overrides.setdefault("execution", {"compile_after": 1, "verify": "replay"})
        plugins = [("test_header_identity", header_identity), *(extra_plugins or [])]
        app = create_app(load_settings(**overrides), extra_plugins=plugins)
        gateway: Gateway = app.state.gateway
        await gateway.start()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        client = GatewayClient(app=app, gateway=gateway, http=http)
        started.append(client)
        return client

    yield make
    mismatches = [m for c in started for m in _execution_mismatches(c.gateway)]
    for client in reversed(started):
        for browser in client.browsers:
            await browser.aclose()
        await client.http.aclose()
        await client.gateway.stop()
    if mismatches:
        pytest.fail("compiled execution differs from graphql-core:\n" + "\n".join(mismatches))


def _execution_mismatches(gateway: Gateway) -> list[str]:
    from gateway.execution import execution_state

    state = execution_state(gateway)
    return list(state.mismatches) if state is not None else []


@pytest.fixture
async def client(make_gateway: MakeGateway) -> GatewayClient:
    return await make_gateway()


_statements: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("statements", default=None)


class SqlCounter:
    """Counts SQL statements run on any engine while inside ``with``."""

    _installed = False

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def selects(self) -> list[str]:
        return [s for s in self.statements if re.match(r"\s*SELECT", s, re.I)]

    def __enter__(self) -> SqlCounter:
        self.statements = []
        self._token = _statements.set(self.statements)
        return self

    def __exit__(self, *exc: Any) -> None:
        _statements.reset(self._token)


def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    statements = _statements.get()
    if statements is not None and not VERIFYING.get():  # not graphql-core's check run
        statements.append(statement)


def install_sql_counter() -> None:
    """Count statements on every engine (idempotent); ``SqlCounter`` reads them."""
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "before_cursor_execute", _record):
        event.listen(Engine, "before_cursor_execute", _record)


@pytest.fixture
def sql_counter() -> Iterator[SqlCounter]:
    install_sql_counter()
    yield SqlCounter()


# Fixtures for plugin authors: plugin_client, plugin_under_test, sign_in, pip_install.
pytest_plugins = ["gateway.plugin_testing"]


class StaticProvider:
    """A content provider over a fixed list of course records, for tests and
    benchmarks: subclass it and override what the test is about.

    Searching lists every course; quizzes are graded as all-first-options-right;
    ``healthy``/``health`` report a live provider.
    """

    name = "Static test provider"
    delivery_mode: Literal["HOSTED", "EXTERNAL"] = "HOSTED"
    organisation_id: str | None = None

    def __init__(self, provider_id: str, courses: Sequence[CourseRecord] = ()) -> None:
        self.id = provider_id
        self.courses = {course.id: course for course in courses}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def healthy(self) -> bool:
        return True

    async def health(self) -> ProviderHealth:
        return ProviderHealth(healthy=True, status="live")

    async def course_count(self) -> int | None:
        return len(self.courses)

    async def courses_by_ids(self, ids: Sequence[str]) -> CourseBatch:
        return CourseBatch(courses=[self.courses.get(i) for i in ids])

    async def search(self, text: str | None) -> SearchAnswer:
        return SearchAnswer(summaries=[CourseSummary.of(c) for c in self.courses.values()])

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        right = sum(1 for selected in answers.values() if list(selected) == [0])
        total = max(len(answers), 1)
        score = 100 * right // total
        return GradingResult(quiz_id, right, total, score, score >= 50, 50)

    async def collections(self) -> list[CollectionRecord]:
        return []
