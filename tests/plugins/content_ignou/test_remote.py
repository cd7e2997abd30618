"""IGNOU read live: batching, caching, time limits, the circuit, outages."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.testing import GatewayClient, MakeGateway, SqlCounter, error_codes
from plugins.content_ignou.provider import IgnouProvider
from plugins.content_ignou.standin.server import StandIn
from plugins.content_istm.provider import IstmProvider

LISTING = """
query($first: Int, $search: String, $filter: CourseFilter) {
  courses(first: $first, search: $search, filter: $filter) {
    totalCount
    edges { node { id title deliveryMode externalUrl units { id }
      provider { id healthy } competencies { competency { id area } } } }
    facets { providers { value count } areas { value count } }
  }
}
"""


def ignou_of(client: GatewayClient) -> IgnouProvider:
    provider = client.gateway.providers["ignou"]
    assert isinstance(provider, IgnouProvider)
    return provider


def ids_of(body: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in body["data"]["courses"]["edges"]]


async def test_both_providers_answer_one_courses_query(live: GatewayClient, standin: StandIn) -> None:
    body = await live.graphql(LISTING, {"first": 100})
    page = body["data"]["courses"]
    providers = {f["value"]: f["count"] for f in page["facets"]["providers"]}
    assert providers == {"istm": 15, "ignou": 12}
    ignou = [e["node"] for e in page["edges"] if e["node"]["id"].startswith("ignou:")]
    assert all(n["deliveryMode"] == "EXTERNAL" and n["externalUrl"].startswith("https://") for n in ignou)
    assert all(n["units"] == [] for n in ignou)
    filtered = await live.graphql(
        LISTING, {"first": 100, "filter": {"providers": ["ignou"], "areas": ["DOMAIN"]}}
    )
    areas = {f["value"]: f["count"] for f in page["facets"]["areas"]}
    assert filtered["data"]["courses"]["totalCount"] < areas["DOMAIN"]
    assert {i.split(":")[0] for i in ids_of(filtered)} == {"ignou"}
    searched = await live.graphql(LISTING, {"search": "disaster"})
    assert ids_of(searched)[0] == "ignou:cdm"


async def test_one_remote_request_per_provider_and_flat_sql_for_any_page_size(
    make_gateway: MakeGateway,
    ignou_settings: dict[str, Any],
    standin: StandIn,
    sql_counter: SqlCounter,
    tmp_path: Any,
    big_feed: Any,
) -> None:
    client = await make_gateway(plugins={"content_ignou": ignou_settings})
    path = tmp_path / "big.json"
    path.write_bytes(big_feed(60))
    istm = client.gateway.providers["istm"]
    assert isinstance(istm, IstmProvider)
    await istm.sync(str(path))
    await client.graphql(LISTING, {"first": 1})  # ISTM's summary cache follows the new feed
    counts = []
    for first in (5, 50):
        ignou_of(client).forget()
        before = standin.requests
        with sql_counter as counter:
            body = await client.graphql(LISTING, {"first": first})
        assert len(body["data"]["courses"]["edges"]) == first
        assert standin.requests - before == 1
        counts.append(counter.count)
    assert counts[0] == counts[1]


async def test_reads_are_batched_per_wave_and_cached(live: GatewayClient, standin: StandIn) -> None:
    aliases = " ".join(
        f'c{i}: course(id: "ignou:{c}") {{ title }}'
        for i, c in enumerate(["cit", "cdm", "crd", "pgdgds", "ccitsk", "nope"])
    )
    before = standin.requests
    body = await live.graphql("{ " + aliases + " }")
    assert standin.requests - before == 1
    assert body["data"]["c0"]["title"] == "Certificate in Information Technology"
    assert body["data"]["c5"] is None
    await live.graphql("{ " + aliases + " }")
    assert standin.requests - before == 2  # the unknown id is asked again; known ones cached
    await live.graphql('{ course(id: "ignou:cit") { title } }')
    assert standin.requests - before == 2


async def test_outage_answers_istm_with_the_error_and_recovers(
    make_gateway: MakeGateway, ignou_settings: dict[str, Any], standin: StandIn
) -> None:
    client = await make_gateway(plugins={"content_ignou": {**ignou_settings, "cache_ttl_seconds": 0}})
    query = {"first": 100, "search": "certificate"}
    whole = await client.graphql(LISTING, query)
    assert "errors" not in whole
    standin.stop()
    during = await client.graphql(LISTING, query, expect_errors=True)
    assert error_codes(during) == ["PROVIDER_UNAVAILABLE"]
    error = during["errors"][0]
    assert error["extensions"]["provider"] == "ignou" and error["extensions"]["stale"] is True
    assert ids_of(during) == ids_of(whole)  # ISTM live, IGNOU from the cache
    health = await client.graphql("{ providers { id healthy status } }")
    ignou = next(p for p in health["data"]["providers"] if p["id"] == "ignou")
    assert ignou["healthy"] is False
    unseen = await client.graphql(LISTING, {"first": 100, "search": "office"}, expect_errors=True)
    assert error_codes(unseen) == ["PROVIDER_UNAVAILABLE"]
    assert all(i.startswith(("istm:", "ignou:")) for i in ids_of(unseen))
    standin.start()
    await asyncio.sleep(0.35)  # the circuit lets a trial call through
    after = await client.graphql(LISTING, query)
    assert "errors" not in after and ids_of(after) == ids_of(whole)
    health = await client.graphql("{ providers { id healthy } }")
    assert all(p["healthy"] for p in health["data"]["providers"])


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("invalid-json", "invalid JSON"),
        ("graphql-error", "reported an error: catalogue database is down"),
        ("http-500", "HTTP 500"),
        ("hang", "did not answer in time"),
    ],
)
async def test_a_failing_remote_yields_istm_and_a_named_error(
    make_gateway: MakeGateway,
    ignou_settings: dict[str, Any],
    standin: StandIn,
    fault: str,
    problem: str,
) -> None:
    settings = {**ignou_settings, "read_timeout_seconds": 0.3, "circuit_reset_seconds": 60}
    client = await make_gateway(plugins={"content_ignou": settings})
    async with client.gateway.db.write_sessionmaker() as session, session.begin():
        from sqlalchemy import delete

        from plugins.content_ignou.models import IgnouCourseRow

        await session.execute(delete(IgnouCourseRow))  # no snapshot to fall back on
    standin.fault = fault
    body = await client.graphql(LISTING, {"first": 100}, expect_errors=True)
    assert error_codes(body) == ["PROVIDER_UNAVAILABLE"]
    assert problem in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"] == {
        "code": "PROVIDER_UNAVAILABLE",
        "provider": "ignou",
        "stale": False,
    }
    assert {i.split(":")[0] for i in ids_of(body)} == {"istm"}
    assert body["data"]["courses"]["totalCount"] == 15
    before = standin.requests
    await client.graphql(LISTING, {"first": 100}, expect_errors=True)  # second failure opens it
    await client.graphql(LISTING, {"first": 100}, expect_errors=True)
    assert standin.requests - before == 1, "the open circuit sends nothing"
    status = await client.graphql("{ providers { id healthy status } }")
    ignou = next(p for p in status["data"]["providers"] if p["id"] == "ignou")
    assert ignou["healthy"] is False and ignou["status"].startswith("Circuit open")


async def test_without_a_url_the_snapshot_is_served_and_said(client: GatewayClient) -> None:
    body = await client.graphql("{ providers { id healthy status courseCount } }")
    ignou = next(p for p in body["data"]["providers"] if p["id"] == "ignou")
    assert ignou["courseCount"] == 12
    assert "No live URL configured: serving the last synced snapshot" in ignou["status"]
    courses = await client.graphql(LISTING, {"filter": {"providers": ["ignou"]}, "first": 50})
    assert courses["data"]["courses"]["totalCount"] == 12


async def test_sync_pulls_changes_into_the_snapshot(live: GatewayClient, standin: StandIn) -> None:
    standin.catalogue.programmes[0]["title"] = "Certificate in Information Technology (2027)"
    standin.catalogue.programmes[0]["updatedAt"] = "2026-11-20T10:00:00+05:30"
    report = await ignou_of(live).sync()
    assert report.startswith("1 course(s) changed")
    standin.stop()
    body = await live.graphql('{ course(id: "ignou:cit") { title } }', expect_errors=True)
    assert body["data"]["course"]["title"].endswith("(2027)")
    assert body["errors"][0]["extensions"]["stale"] is True


PAGED = """query($after: String, $filter: CourseFilter) {
  courses(first: 5, after: $after, filter: $filter) {
    edges { node { id title } } pageInfo { endCursor hasNextPage } } }"""


async def test_cursors_stay_valid_while_a_provider_is_added_or_down(
    make_gateway: MakeGateway, ignou_settings: dict[str, Any], standin: StandIn
) -> None:
    client = await make_gateway(plugins={"content_ignou": {**ignou_settings, "cache_ttl_seconds": 0}})
    istm_only = await client.graphql(PAGED, {"filter": {"providers": ["istm"]}})
    cursor = istm_only["data"]["courses"]["pageInfo"]["endCursor"]
    last_title = istm_only["data"]["courses"]["edges"][-1]["node"]["title"].casefold()
    both = await client.graphql(PAGED, {"after": cursor})  # IGNOU added to the result
    titles = [e["node"]["title"].casefold() for e in both["data"]["courses"]["edges"]]
    assert titles and all(t > last_title for t in titles)
    assert any(e["node"]["id"].startswith("ignou:") for e in both["data"]["courses"]["edges"])
    cursor = both["data"]["courses"]["pageInfo"]["endCursor"]
    standin.stop()
    down = await client.graphql(PAGED, {"after": cursor}, expect_errors=True)
    assert error_codes(down) == ["PROVIDER_UNAVAILABLE"]
    later = [e["node"]["title"].casefold() for e in down["data"]["courses"]["edges"]]
    assert later and all(t > titles[-1] for t in later)
