"""The conformance kit: both built-in providers pass; a broken one fails naming the check."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from gateway.conformance.pytest_plugin import ProviderConformance
from gateway.conformance.runner import run_checks, table
from gateway.provider_api.remote import RemoteApiProvider
from gateway.testing import MakeGateway
from plugins.content_ignou.standin.programmes import demo_programmes
from plugins.content_ignou.standin.server import StandIn
from schema.providers import CourseBatch


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn(demo_programmes()).start()
    yield server
    server.stop()


class TestIstmConforms(ProviderConformance):
    @pytest.fixture
    async def content_provider(self, make_gateway: MakeGateway) -> Any:
        client = await make_gateway()
        return client.gateway.providers["istm"]


class TestIgnouConforms(ProviderConformance):
    @pytest.fixture
    async def content_provider(self, make_gateway: MakeGateway, standin: StandIn) -> Any:
        client = await make_gateway(plugins={"content_ignou": {"url": standin.url}})
        return client.gateway.providers["ignou"]


class TestIgnouSnapshotConforms(ProviderConformance):
    @pytest.fixture
    async def content_provider(self, make_gateway: MakeGateway) -> Any:
        return (await make_gateway()).gateway.providers["ignou"]


class TestRemoteApiConforms(ProviderConformance):
    @pytest.fixture
    async def content_provider(self, standin: StandIn) -> AsyncIterator[Any]:
        provider = RemoteApiProvider(standin.url)
        yield provider
        await provider.close()


class LeakyIstm:
    """Breaks the protocol: puts answer keys on questions and drops unknown ids."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.id, self.name, self.delivery_mode = real.id, real.name, real.delivery_mode

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    async def courses_by_ids(self, ids: Any) -> CourseBatch:
        batch = await self.real.courses_by_ids(ids)
        courses = [c for c in batch.courses if c is not None]
        for course in courses:
            for r in course.resources():
                if r.quiz:
                    for q in r.quiz.questions:
                        object.__setattr__(q, "answers", [0])
        return CourseBatch(courses)


async def test_a_broken_provider_fails_naming_the_checks(make_gateway: MakeGateway) -> None:
    client = await make_gateway()
    results = {r.name: r for r in await run_checks(LeakyIstm(client.gateway.providers["istm"]))}
    assert not results["courses-by-ids-order"].passed
    assert "one entry per id" in results["courses-by-ids-order"].detail
    assert not results["no-answer-keys"].passed
    assert "answer key" in results["no-answer-keys"].detail
    assert results["identity"].passed and results["search-matches"].passed
    printed = table("leaky", list(results.values()))
    assert "no-answer-keys" in printed and "FAIL" in printed


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "provider", "check", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=180,
        check=False,
    )


def test_cli_passes_both_built_ins_and_fails_a_broken_remote(database_url: str, standin: StandIn) -> None:
    env = {"KARMAYOGI_DATABASE_URL": database_url, "KARMAYOGI_LOG_JSON": "false"}
    istm = _cli("istm", env=env)
    assert istm.returncode == 0, istm.stdout + istm.stderr
    assert "9 passed, 0 failed" in istm.stdout
    ignou = _cli("ignou", env={**env, "KARMAYOGI_PLUGINS__CONTENT_IGNOU__URL": standin.url})
    assert ignou.returncode == 0, ignou.stdout + ignou.stderr
    remote = _cli(standin.url, env=env)
    assert remote.returncode == 0, remote.stdout + remote.stderr
    standin.fault = "misorder"
    broken = _cli(standin.url, env=env)
    assert broken.returncode == 1
    line = next(x for x in broken.stdout.splitlines() if x.startswith("courses-by-ids-order"))
    assert "FAIL" in line and "order" in line
    unknown = _cli("nobody", env=env)
    assert unknown.returncode == 1 and "No content provider 'nobody'" in unknown.stderr
