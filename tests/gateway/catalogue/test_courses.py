"""The federated catalogue over ISTM's demo feed: paging, ranking, filters, facets, counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from gateway.hookspecs import hookimpl
from gateway.host import Gateway
from gateway.testing import GatewayClient, MakeGateway, SqlCounter, error_codes
from plugins.content_istm.provider import IstmProvider
from plugins.content_istm.testing import grown_feed

PAGE = """
query($first: Int, $after: String, $search: String, $filter: CourseFilter) {
  courses(first: $first, after: $after, search: $search, filter: $filter) {
    totalCount
    edges { cursor node { id title } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    facets { categories { value count } providers { value count }
             areas { value count } languages { value count } }
  }
}
"""


async def test_pages_cover_the_catalogue_once_in_ranked_order(client: GatewayClient) -> None:
    seen: list[str] = []
    titles: list[str] = []
    after = None
    while True:
        body = await client.graphql(PAGE, {"first": 4, "after": after})
        page = body["data"]["courses"]
        seen += [e["node"]["id"] for e in page["edges"]]
        titles += [e["node"]["title"].casefold() for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] >= 12
    assert titles == sorted(titles)


@pytest.mark.parametrize("first", [-1, 101, 100000])
async def test_first_outside_the_documented_bounds_is_bad_input(client: GatewayClient, first: int) -> None:
    body = await client.graphql(PAGE, {"first": first}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "between 0 and 100" in body["errors"][0]["message"]


async def test_a_tampered_cursor_is_bad_input(client: GatewayClient) -> None:
    body = await client.graphql(PAGE, {"first": 2})
    cursor = body["data"]["courses"]["pageInfo"]["endCursor"]
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    for bad in (flipped, "not-a-cursor", cursor[:10], ""):
        body = await client.graphql(PAGE, {"first": 2, "after": bad}, expect_errors=True)
        assert error_codes(body) == ["BAD_USER_INPUT"], bad
        assert "cursor" in body["errors"][0]["message"]


async def test_search_ranks_title_matches_before_description_matches(
    client: GatewayClient,
) -> None:
    body = await client.graphql(PAGE, {"search": "pension", "first": 20})
    ids = [e["node"]["id"] for e in body["data"]["courses"]["edges"]]
    assert ids[0] == "istm:pension-rules"
    body = await client.graphql(PAGE, {"search": "procur", "first": 20})
    ids = [e["node"]["id"] for e in body["data"]["courses"]["edges"]]
    assert ids[0] == "istm:public-procurement"  # title match by prefix first
    assert "istm:gfr-financial-management" not in ids or ids.index("istm:gfr-financial-management") > 0
    body = await client.graphql(PAGE, {"search": "zzzqqq"})
    assert body["data"]["courses"]["totalCount"] == 0
    body = await client.graphql(PAGE, {"search": "%%%"}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_filters_and_facets_agree_with_totals(client: GatewayClient) -> None:
    whole = (await client.graphql(PAGE, {"first": 0}))["data"]["courses"]
    assert whole["edges"] == []
    for facet in whole["facets"]["areas"]:
        body = await client.graphql(PAGE, {"first": 0, "filter": {"areas": [facet["value"]]}})
        assert body["data"]["courses"]["totalCount"] == facet["count"]
    for facet in whole["facets"]["languages"]:
        body = await client.graphql(PAGE, {"first": 0, "filter": {"language": facet["value"]}})
        assert body["data"]["courses"]["totalCount"] == facet["count"]
    providers = {f["value"]: f["count"] for f in whole["facets"]["providers"]}
    assert providers["istm"] == 15
    body = await client.graphql(
        PAGE, {"first": 50, "filter": {"areas": ["DOMAIN"], "maxDurationMinutes": 200}}
    )
    page = body["data"]["courses"]
    assert 0 < page["totalCount"] < whole["totalCount"]
    assert sum(f["count"] for f in page["facets"]["providers"]) == page["totalCount"]
    body = await client.graphql(
        PAGE,
        {"filter": {"competencyIds": ["comp:functional-establishment-pension-rules"]}},
    )
    assert [e["node"]["id"] for e in body["data"]["courses"]["edges"]] == ["istm:pension-rules"]
    body = await client.graphql(PAGE, {"filter": {"providers": ["nosuch"]}}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await client.graphql(PAGE, {"filter": {"maxDurationMinutes": -5}}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_course_and_node_resolve_provider_course_ids(client: GatewayClient) -> None:
    body = await client.graphql(
        '{ node(id: "istm:e-office") { id ... on Course { title provider { id } } } '
        'missing: node(id: "istm:nope") { id } course(id: "istm:e-office") { id } '
        'unknown: course(id: "nobody:x") { id } }'
    )
    assert body["data"]["node"]["provider"]["id"] == "istm"
    assert body["data"]["missing"] is None and body["data"]["unknown"] is None
    assert body["data"]["course"]["id"] == "istm:e-office"


LISTING = """
query($first: Int) { courses(first: $first, filter: {providers: ["istm"]}) { edges { node {
  id title provider { id name deliveryMode healthy courseCount }
  competencies { competency { id area theme } level }
  units { id title resources { id kind quiz { id passPercentage } } }
} } } }
"""


async def test_listing_50_costs_the_same_sql_as_listing_5(
    client: GatewayClient, sql_counter: SqlCounter, tmp_path: Any
) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(grown_feed(60))
    provider = client.gateway.providers["istm"]
    assert isinstance(provider, IstmProvider)
    await provider.sync(str(path))
    await client.graphql(LISTING, {"first": 1})  # ISTM's summary cache follows the new feed
    counts = []
    for first in (5, 50):
        with sql_counter as counter:
            body = await client.graphql(LISTING, {"first": first})
        assert len(body["data"]["courses"]["edges"]) == first
        counts.append(counter.count)
    assert counts[0] == counts[1], (counts, [s[:60] for s in counter.statements])
    assert counts[0] <= 5  # summaries, courses, competencies, health, count


class EnrolledEverywhere:
    """A passbook stand-in for this test: Asha is enrolled in every course."""

    name = "test-passbook"

    async def enrolled_course_ids(self, learner_id: str, course_ids: Sequence[str]) -> set[str]:
        return set(course_ids) if learner_id == "learner:demo-asha" else set()

    async def record_external_completion(self, completion: Any) -> None:
        return None


class PassbookPlugin:
    @hookimpl
    def register_passbook_backend(self, gateway: Gateway) -> EnrolledEverywhere:
        return EnrolledEverywhere()


QUESTIONS = """{ course(id: "istm:rti-act") { units { resources { quiz { questions {
  id text options multipleAnswers } } } } } }"""


def _questions(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        q
        for u in body["data"]["course"]["units"]
        for r in u["resources"]
        if r["quiz"]
        for q in r["quiz"]["questions"]
    ]


async def test_questions_show_only_to_learners_the_passbook_says_are_enrolled(
    make_gateway: MakeGateway,
) -> None:
    client = await make_gateway(
        extra_plugins=[("test_passbook", PassbookPlugin())], plugins_block=["passbook"]
    )
    enrolled = _questions(await client.graphql(QUESTIONS, as_learner="learner:demo-asha"))
    assert len(enrolled) == 3 and all(len(q["options"]) == 3 for q in enrolled)
    assert _questions(await client.graphql(QUESTIONS, as_learner="learner:demo-rahul")) == []
    assert _questions(await client.graphql(QUESTIONS)) == []


async def test_without_a_passbook_nobody_sees_questions(client: GatewayClient) -> None:
    assert _questions(await client.graphql(QUESTIONS, as_learner="learner:demo-asha")) == []
