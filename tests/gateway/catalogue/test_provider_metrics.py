"""Every call the catalogue makes to a provider is measured, a third party's
provider included, and a failure is counted once however deep it is seen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from gateway.catalogue import calls
from gateway.hookspecs import hookimpl
from gateway.telemetry import provider_call
from gateway.testing import GatewayClient, MakeGateway, StaticProvider, error_codes
from schema.providers import (
    CourseRecord,
    CourseSummary,
    GradingResult,
    ProviderError,
    SearchAnswer,
    UnknownQuiz,
)
from tests.security.test_observability import metrics_text, sample

PID = "thirdp"
COURSES = [
    CourseRecord(
        id=f"{PID}:{n}",
        provider_id=PID,
        title=f"Third party course {n}",
        description="Measured without a line of its own.",
        languages=("en",),
        duration_minutes=60,
        delivery_mode="EXTERNAL",
        updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        external_url=f"https://third.example.invalid/{n}",
    )
    for n in ("one", "two")
]


class ThirdParty(StaticProvider):
    """A provider that knows nothing of metrics; ``mode`` makes it fail."""

    name = "Third Party Institute"
    delivery_mode = "EXTERNAL"

    def __init__(self) -> None:
        super().__init__(PID, COURSES)
        self.mode = "ok"
        self.gateway: Any = None

    async def search(self, text: str | None) -> SearchAnswer:
        summaries = [CourseSummary.of(c) for c in COURSES]
        if self.mode == "raise":
            raise ProviderError("the institute's server is down")
        if self.mode == "stale":
            return SearchAnswer(summaries, stale=True, problem="serving yesterday's list")
        if self.mode == "own-request-fails":  # measures its own request, which times out
            try:
                async with provider_call(self.gateway, PID, "api.search"):
                    raise TimeoutError
            except TimeoutError:
                raise ProviderError("the institute's API did not answer in time") from None
        return SearchAnswer(summaries)

    async def grade_quiz(self, quiz_id: str, answers: Mapping[str, Sequence[int]]) -> GradingResult:
        if self.mode == "raise":
            raise RuntimeError("grader crashed")
        raise UnknownQuiz(quiz_id)


class ThirdPartyPlugin:
    def __init__(self) -> None:
        self.provider = ThirdParty()

    @hookimpl
    def register_content_providers(self, gateway: Any) -> list[ThirdParty]:
        self.provider.gateway = gateway
        return [self.provider]


QUERY = """{ courses(first: 10, filter: {providers: ["thirdp"]}) { edges { node { id title } } }
  providers { id healthy courseCount } }"""


async def third_party(make_gateway: MakeGateway) -> tuple[GatewayClient, ThirdParty]:
    plugin = ThirdPartyPlugin()
    client = await make_gateway(extra_plugins=[("thirdp", plugin)])
    return client, plugin.provider


def count(text: str, call: str) -> float | None:
    return sample(text, "karmayogi_provider_call_duration_seconds_count", provider=PID, call=call)


def errors(text: str, kind: str) -> float | None:
    return sample(text, "karmayogi_provider_errors_total", provider=PID, kind=kind)


def error_lines(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.startswith("karmayogi_provider_errors_total{") and f'provider="{PID}"' in line
    ]


async def test_a_third_party_provider_is_measured_without_doing_anything(make_gateway: MakeGateway) -> None:
    client, _ = await third_party(make_gateway)
    body = await client.graphql(QUERY)
    assert [e["node"]["id"] for e in body["data"]["courses"]["edges"]] == ["thirdp:one", "thirdp:two"]
    await client.graphql('{ course(id: "thirdp:one") { title } }')
    assert (await client.http.get("/readyz")).json()["providers"][PID] is True
    text = await metrics_text(client)
    assert count(text, "search") == 1
    assert count(text, "courses_by_ids") == 2  # one wave per request
    assert count(text, "health") == 1 and count(text, "course_count") == 1
    assert count(text, "healthy") == 1
    assert error_lines(text) == []


@pytest.mark.parametrize(("mode", "kind"), [("raise", "ProviderError"), ("stale", "degraded")])
async def test_a_failing_or_stale_answer_is_one_error(
    make_gateway: MakeGateway, mode: str, kind: str
) -> None:
    client, provider = await third_party(make_gateway)
    provider.mode = mode
    body = await client.graphql(QUERY, expect_errors=True)
    assert error_codes(body) == ["PROVIDER_UNAVAILABLE"]
    text = await metrics_text(client)
    assert errors(text, kind) == 1
    assert count(text, "search") == 1


async def test_a_failure_the_provider_counted_itself_is_not_counted_again(make_gateway: MakeGateway) -> None:
    client, provider = await third_party(make_gateway)
    provider.mode = "own-request-fails"
    await client.graphql(QUERY, expect_errors=True)
    text = await metrics_text(client)
    assert count(text, "search") == 1 and count(text, "api.search") == 1
    assert errors(text, "TimeoutError") == 1
    assert errors(text, "ProviderError") is None


async def test_grading_refusals_are_answers_not_failures(make_gateway: MakeGateway) -> None:
    client, provider = await third_party(make_gateway)
    with pytest.raises(UnknownQuiz):
        await calls.grade_quiz(client.gateway, provider, "thirdp:one/quiz", {})
    provider.mode = "raise"
    with pytest.raises(RuntimeError):
        await calls.grade_quiz(client.gateway, provider, "thirdp:one/quiz", {})
    text = await metrics_text(client)
    assert count(text, "grade_quiz") == 2
    assert errors(text, "UnknownQuiz") is None
    assert errors(text, "RuntimeError") == 1
