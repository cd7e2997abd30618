"""Pytest fixtures for plugin authors (loaded with ``gateway.testing``).

* ``plugin_under_test``: the in-process plugins to add, as ``[(name, plugin)]``.
  Empty by default; override it in your ``conftest.py``. A plugin installed
  with pip is found through its entry point and needs no override.
* ``plugin_settings``: settings overrides for ``plugin_client`` (default ``{}``),
  e.g. ``{"plugins": {"my_plugin": {"greeting": "Hi"}}}``.
* ``plugin_client``: a started gateway (demo data loaded) with your plugin.
* ``sign_in``: ``learner = await sign_in("MDO_ADMIN", organisation_id="org:dopt")``
  creates a fresh active learner holding that role (scoped to the organisation)
  and returns a :class:`SignedInLearner` whose ``graphql()`` sends requests as
  them.
* ``pip_install``: ``pip_install(path)`` installs a package directory with this
  interpreter's pip into a per-test folder put on ``sys.path`` (so its entry
  points are found) and removed afterwards; returns the folder.
* ``live_server``: ``base = await live_server(client)`` serves a started
  gateway's app with uvicorn on a free port of 127.0.0.1 and returns
  ``http://127.0.0.1:PORT`` (websocket tests connect to ``ws://.../graphql``).
* ``redis_url``: ``KARMAYOGI_TEST_REDIS_URL`` (default
  ``redis://127.0.0.1:6379/15``), checked reachable: the test fails, never
  skips, when Redis is down.
* ``sql_counter`` (in ``gateway.testing``): counts SQL statements.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.authz import ROLES
from gateway.db.types import utcnow
from gateway.directory.models import LearnerRow, RoleGrantRow

ORG_SCOPED_ROLES = ("MDO_ADMIN", "STATE_ADMIN", "CBP_ADMIN")


@dataclass
class SignedInLearner:
    """A learner created for the test, with the role asked for."""

    id: str
    role: str
    organisation_id: str
    client: Any  # gateway.testing.GatewayClient

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.client.graphql(query, variables, as_learner=self.id, **kwargs)
        return result


@pytest.fixture
def plugin_under_test() -> list[tuple[str, object]]:
    return []


@pytest.fixture
def plugin_settings() -> dict[str, Any]:
    return {}


@pytest.fixture
async def plugin_client(
    make_gateway: Callable[..., Awaitable[Any]],
    plugin_under_test: list[tuple[str, object]],
    plugin_settings: dict[str, Any],
) -> Any:
    return await make_gateway(extra_plugins=list(plugin_under_test), **plugin_settings)


SignIn = Callable[..., Awaitable[SignedInLearner]]


@pytest.fixture
def sign_in(plugin_client: Any) -> SignIn:
    """Learners are created in ``plugin_client``'s database unless ``client=``
    names another started gateway."""

    async def make(
        role: str = "LEARNER",
        *,
        organisation_id: str = "org:dopt",
        client: Any = None,
        name: str | None = None,
    ) -> SignedInLearner:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        client = client or plugin_client
        learner_id = f"learner:test-{uuid.uuid4().hex[:12]}"
        async with client.gateway.db.write_sessionmaker() as session, session.begin():
            session.add(
                LearnerRow(
                    id=learner_id,
                    name=name or f"Test {role.title().replace('_', ' ')}",
                    email=f"{learner_id.split(':')[1]}@example.test",
                    organisation_id=organisation_id,
                    designation="Section Officer",
                    status="ACTIVE",
                    demo=False,
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
            await session.flush()
            if role != "LEARNER":
                scoped = role in ORG_SCOPED_ROLES
                session.add(
                    RoleGrantRow(
                        learner_id=learner_id,
                        role=role,
                        organisation_id=organisation_id if scoped else None,
                        organisation_key=organisation_id if scoped else "",
                        granted_at=utcnow(),
                    )
                )
        return SignedInLearner(id=learner_id, role=role, organisation_id=organisation_id, client=client)

    return make


def _run_pip(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture
def pip_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], Path]]:
    """Install package directories (no index, no build isolation) for one test.

    The package is copied first, so building it leaves nothing in its folder.
    """
    target = tmp_path_factory.mktemp("site")
    sources = tmp_path_factory.mktemp("src")
    added = False
    before = set(sys.modules)

    def install(package: Path) -> Path:
        nonlocal added
        copy = sources / package.name
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("build", "*.egg-info"))
        _run_pip(
            [
                "install",
                "--quiet",
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                "--disable-pip-version-check",
                "--target",
                str(target),
                str(copy),
            ]
        )
        if not added:
            sys.path.insert(0, str(target))
            added = True
        importlib.invalidate_caches()
        return target

    yield install
    if added:
        sys.path.remove(str(target))
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin.startswith(str(target)):
                del sys.modules[name]
        importlib.invalidate_caches()


LiveServer = Callable[[Any], Awaitable[str]]


@pytest.fixture
async def live_server() -> AsyncIterator[LiveServer]:
    import uvicorn

    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def serve(client: Any) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            client.app, lifespan="off", log_config=None, ws="websockets-sansio", access_log=False
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        servers.append((server, task))
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield serve
    for server, _ in servers:
        server.should_exit = True
    for _, task in servers:
        await task


@pytest.fixture
async def redis_url() -> str:
    import redis.asyncio as redis

    url = os.environ.get("KARMAYOGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = redis.Redis.from_url(url)
    try:
        await connection.ping()
    except Exception as exc:  # the service must be up: fail, never skip
        pytest.fail(f"Redis at {url} is unreachable: {exc}")
    finally:
        await connection.aclose()
    return url
