"""A probe plugin and fixtures for the security tests: fields that count their resolver
calls, so a test can show a refused operation ran nothing.

``probes(first: Int = 10)`` is a list field with a ``first`` argument (the
catalogue's ``courses(first:)`` will be tested the same way once it is on
main), ``probe`` nests without end, ``echo(text:)`` takes a string argument
and ``touchProbe`` is a mutation.
"""

from __future__ import annotations

import asyncio
import sys
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
import strawberry

from gateway import hookimpl
from gateway.testing import GatewayClient, MakeGateway
from schema.contribution import SchemaContribution

T = TypeVar("T")


@dataclass
class Calls:
    count: int = 0
    names: list[str] = field(default_factory=list)

    def hit(self, name: str) -> None:
        self.count += 1
        self.names.append(name)


CALLS = Calls()


@strawberry.type
class Probe:
    name: str

    @strawberry.field
    def child(self) -> Probe:
        CALLS.hit("child")
        return Probe(name=self.name + ".c")

    @strawberry.field
    def items(self, first: int = 10) -> list[Probe]:
        CALLS.hit("items")
        return [Probe(name=f"{self.name}.{i}") for i in range(min(first, 3))]


def probe() -> Probe:
    CALLS.hit("probe")
    return Probe(name="p")


def probes(first: int = 10) -> list[Probe]:
    CALLS.hit("probes")
    return [Probe(name=f"p{i}") for i in range(min(first, 3))]


def echo(text: str) -> int:
    CALLS.hit("echo")
    return len(text)


async def slow() -> int:
    CALLS.hit("slow")
    await asyncio.sleep(5)
    CALLS.hit("slow finished")
    return 1


def touch_probe() -> Probe:
    CALLS.hit("touchProbe")
    return Probe(name="touched")


class ProbePlugin:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        return SchemaContribution(
            types=[Probe],
            query=[
                strawberry.field(resolver=probe),
                strawberry.field(resolver=probes),
                strawberry.field(resolver=echo),
                strawberry.field(resolver=slow),
            ],
            mutation=[strawberry.field(resolver=touch_probe, name="touchProbe")],
        )


@pytest.fixture
def calls() -> Iterator[Calls]:
    CALLS.count = 0
    CALLS.names.clear()
    yield CALLS


@pytest.fixture
def make_probe_gateway(make_gateway: MakeGateway) -> Callable[..., Any]:
    async def make(**overrides: Any) -> GatewayClient:
        overrides.setdefault("load_demo_data", False)
        limits = overrides.setdefault("limits", {})
        limits.setdefault("document_cache_size", 0)
        return await make_gateway(extra_plugins=[("probe", ProbePlugin())], **overrides)

    return make


@pytest.fixture
async def probe_client(make_probe_gateway: Callable[..., Any]) -> GatewayClient:
    client: GatewayClient = await make_probe_gateway()
    return client


async def bounded(send: Callable[[], Awaitable[T]], calls: int = 200_000, megabytes: float = 64) -> T:
    """Run ``send()`` twice: once traced, asserting it allocated at most
    ``megabytes`` at its peak, once profiled, asserting it made at most
    ``calls`` Python and C function calls. Both are counts of the work done,
    the same on a quiet or a loaded machine (never seconds). The probe gateways
    cache no documents, so both runs do the full work."""
    tracemalloc.start()
    try:
        await send()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 1024 * 1024, f"peak allocation {peak} bytes"
    made = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal made
        if event in ("call", "c_call"):
            made += 1

    sys.setprofile(count)
    try:
        result = await send()
    finally:
        sys.setprofile(None)
    assert made <= calls, f"made {made} function calls (at most {calls})"
    return result


@pytest.fixture
def redis_url() -> str:
    """The test Redis (``KARMAYOGI_TEST_REDIS_URL``, as ``.ci/run`` sets it);
    an unreachable server fails the test, never skips it."""
    import os

    from redis import Redis

    url = os.environ.get("KARMAYOGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    client = Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except Exception as exc:
        pytest.fail(f"Redis at {url} is unreachable: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own, so tests sharing a Redis never meet."""
    import uuid

    return f"test-{uuid.uuid4().hex}:"
