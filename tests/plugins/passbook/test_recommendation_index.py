"""Recommendations rank from a kept index of every provider's courses: the
providers are asked again when the index is older than
``catalogue_cache_seconds``, when the catalogue version moves on (a sync), and
on every request while a provider fails."""

from __future__ import annotations

import dataclasses

from bench.catalogue import SyntheticProvider, make_course
from gateway.hookspecs import hookimpl
from gateway.security.services import catalogue_changed
from gateway.testing import GatewayClient, MakeGateway, error_codes
from schema.providers import CompetencyTag, CourseSummary, SearchAnswer
from tests.plugins.passbook.helpers import ASHA
from tests.security.probe import redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures

RECS = "{ me { recommendations(first: 3) { course { id } gaps { id } } } }"
GAP = "comp:functional-office-procedure-e-office"  # one of Asha's gaps (see the demo directory)


class CountingProvider(SyntheticProvider):
    """A provider whose catalogue a test can change, counting full listings."""

    def __init__(self) -> None:
        super().__init__(0)
        self.listings = 0
        self.failing = False

    def add_short_course(self, number: int) -> str:
        record = dataclasses.replace(
            make_course(number, [GAP]), duration_minutes=1, competencies=(CompetencyTag(GAP),)
        )
        self.courses[record.id] = record
        self.summaries = [CourseSummary.of(c) for c in self.courses.values()]
        return record.id

    async def search(self, text: str | None) -> SearchAnswer:
        self.listings += 1
        if self.failing:
            raise ConnectionError("the institute's API is down")
        return await super().search(text)


class Plugin:
    def __init__(self, provider: CountingProvider) -> None:
        self.provider = provider

    @hookimpl
    def register_content_providers(self, gateway: object) -> list[CountingProvider]:
        return [self.provider]


async def recommended(client: GatewayClient) -> list[str]:
    body = await client.graphql(RECS, as_learner=ASHA)
    return [r["course"]["id"] for r in body["data"]["me"]["recommendations"]]


async def test_index_is_kept_until_the_catalogue_changes(make_gateway: MakeGateway) -> None:
    provider = CountingProvider()
    client = await make_gateway(extra_plugins=[("counting", Plugin(provider))])
    before = await recommended(client)
    assert before and all(not cid.startswith("synthetic:") for cid in before)
    asked = provider.listings

    new_course = provider.add_short_course(7)
    assert await recommended(client) == before  # kept: the providers are not asked again
    assert provider.listings == asked

    await catalogue_changed(client.gateway)  # what `karmayogi catalogue sync` does
    after = await recommended(client)
    assert after[0] == new_course  # the shortest course closing a gap ranks first
    assert provider.listings == asked + 1


async def test_without_keeping_every_request_asks_the_providers(make_gateway: MakeGateway) -> None:
    provider = CountingProvider()
    client = await make_gateway(
        extra_plugins=[("counting", Plugin(provider))],
        plugins={"passbook": {"catalogue_cache_seconds": 0}},
    )
    await recommended(client)
    asked = provider.listings
    new_course = provider.add_short_course(8)
    assert (await recommended(client))[0] == new_course
    assert provider.listings == asked + 1


async def test_a_failing_provider_is_reported_and_asked_again_each_time(make_gateway: MakeGateway) -> None:
    provider = CountingProvider()
    new_course = provider.add_short_course(9)
    provider.failing = True
    client = await make_gateway(extra_plugins=[("counting", Plugin(provider))])
    for attempt in range(2):
        body = await client.graphql(RECS, as_learner=ASHA, expect_errors=True)
        assert "PROVIDER_UNAVAILABLE" in error_codes(body)
        ids = [r["course"]["id"] for r in body["data"]["me"]["recommendations"]]
        assert ids and new_course not in ids  # the other providers still recommend
        assert provider.listings == attempt + 1

    provider.failing = False
    assert (await recommended(client))[0] == new_course


class StaleProvider(CountingProvider):
    """Answers from an old snapshot, as IGNOU does while its API is down."""

    async def search(self, text: str | None) -> SearchAnswer:
        answer = await super().search(text)
        return SearchAnswer(answer.summaries, stale=True, problem="serving the last snapshot")


async def test_a_stale_answer_is_used_but_not_kept(make_gateway: MakeGateway) -> None:
    provider = StaleProvider()
    new_course = provider.add_short_course(11)
    client = await make_gateway(extra_plugins=[("counting", Plugin(provider))])
    for attempt in range(2):
        assert (await recommended(client))[0] == new_course
        assert provider.listings == attempt + 1  # asked again: a fresh answer may be there now


async def test_recommendations_survive_an_unreachable_redis(
    make_gateway: MakeGateway, redis_url: str, redis_prefix: str
) -> None:
    from redis.asyncio import Redis

    from gateway.security.services import services_of

    provider = CountingProvider()
    new_course = provider.add_short_course(12)
    client = await make_gateway(
        extra_plugins=[("counting", Plugin(provider))], redis_url=redis_url, redis_prefix=redis_prefix
    )
    services = services_of(client.gateway)
    services.responses.redis = Redis.from_url("redis://127.0.0.1:1/0")  # Redis goes away
    body = await client.graphql(
        "{ me { enrolments(first: 5) { totalCount } recommendations(first: 3) { course { id } } } }",
        as_learner=ASHA,
    )
    assert body["data"]["me"]["recommendations"][0]["course"]["id"] == new_course
    assert (await recommended(client))[0] == new_course
    assert provider.listings == 2  # nothing kept without a catalogue version
