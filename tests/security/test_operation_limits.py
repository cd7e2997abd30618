"""Hostile documents are refused before any resolver runs, quickly, with
bounded memory, HTTP 400 and ``extensions.code`` OPERATION_LIMIT."""

from __future__ import annotations

from typing import Any

import orjson

from gateway.testing import GatewayClient, error_codes
from tests.security.probe import Calls, bounded

JSON = {"content-type": "application/json"}


async def post(client: GatewayClient, body: bytes) -> tuple[int, dict[str, Any]]:
    response = await client.http.post("/graphql", content=body, headers=JSON)
    return response.status_code, response.json()


def refused(status: int, body: dict[str, Any], code: str = "OPERATION_LIMIT") -> None:
    assert status == 400, body
    assert error_codes(body) == [code], body
    assert "data" not in body


async def test_an_ordinary_operation_runs(probe_client: GatewayClient, calls: Calls) -> None:
    body = await probe_client.graphql("{ probes(first: 2) { name items { name } } }")
    assert [p["name"] for p in body["data"]["probes"]] == ["p0", "p1"]
    assert calls.count == 3


async def test_depth_100_is_refused(probe_client: GatewayClient, calls: Calls) -> None:
    query = "{ probe { " + "child { " * 99 + "name" + " }" * 100 + " }"
    payload = orjson.dumps({"query": query})
    status, body = await bounded(lambda: post(probe_client, payload))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "depth"
    assert calls.count == 0


async def test_depth_is_counted_through_fragments(probe_client: GatewayClient, calls: Calls) -> None:
    chain = "".join(f"fragment F{i} on Probe {{ child {{ ...F{i + 1} }} }}\n" for i in range(15))
    query = "{ probe { ...F0 } }\n" + chain + "fragment F15 on Probe { name }"
    status, body = await post(probe_client, orjson.dumps({"query": query}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "depth"
    assert calls.count == 0


async def test_ten_thousand_aliases_are_refused(make_probe_gateway: Any, calls: Calls) -> None:
    query = "{ " + " ".join(f"a{i}: probe {{ name }}" for i in range(10_000)) + " }"
    payload = orjson.dumps({"query": query})
    client = await make_probe_gateway()
    status, body = await bounded(lambda: post(client, payload))
    refused(status, body)
    # Its length refuses it first. With the length and token limits raised
    # far enough to let the parser through (slower: 50,000 tokens parsed),
    # the alias limit refuses it.
    assert body["errors"][0]["extensions"]["limit"] == "length"
    lenient = await make_probe_gateway(limits={"max_tokens": 100_000, "max_query_chars": 1_000_000})
    status, body = await post(lenient, payload)
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "aliases"
    assert calls.count == 0


async def test_aliases_multiplied_through_fragment_spreads(probe_client: GatewayClient, calls: Calls) -> None:
    # Each fragment spreads the next one twice: 2**15 aliased fields from a
    # document of a few hundred tokens.
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(15))
    query = "{ ...F0 }\n" + fragments + "fragment F15 on Query { x: probe { name } }"
    status, body = await bounded(lambda: post(probe_client, orjson.dumps({"query": query})))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "aliases"
    assert calls.count == 0


async def test_too_many_root_fields(probe_client: GatewayClient, calls: Calls) -> None:
    query = "{ " + " ".join(f"p{i}: probe {{ name }}" for i in range(25)) + " }"
    status, body = await post(probe_client, orjson.dumps({"query": query}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "root fields"
    assert calls.count == 0


async def test_a_megabyte_of_tokens(make_probe_gateway: Any, calls: Calls) -> None:
    client = await make_probe_gateway(limits={"max_body_bytes": 2_000_000})
    query = "{ probe { " + "name " * 200_000 + "} }"  # 1 MB of field tokens
    payload = orjson.dumps({"query": query})
    status, body = await bounded(lambda: post(client, payload))
    refused(status, body)
    # Refused by its length before the lexer reads it.
    assert body["errors"][0]["extensions"]["limit"] == "length"
    assert calls.count == 0


async def test_too_many_tokens(probe_client: GatewayClient, calls: Calls) -> None:
    query = "{ probe { " + "name " * 6_000 + "} }"  # 30 kB, 6,000 tokens
    # graphql-core's lexer makes about 50 calls a token and stops at the limit (5,000)
    status, body = await bounded(lambda: post(probe_client, orjson.dumps({"query": query})), calls=300_000)
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "tokens"
    assert calls.count == 0


async def test_a_document_padded_with_comment_lines(probe_client: GatewayClient, calls: Calls) -> None:
    query = "#\n" * 100_000 + "{ probe { name } }"
    payload = orjson.dumps({"query": query})
    status, body = await bounded(lambda: post(probe_client, payload))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "length"
    assert calls.count == 0
    # Comments count as tokens, even in a document short enough to lex.
    short = "#\n" * 10_000 + "{ probe { name } }"
    status, body = await bounded(lambda: post(probe_client, orjson.dumps({"query": short})))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "tokens"


async def test_circular_fragments(probe_client: GatewayClient, calls: Calls) -> None:
    query = "{ probe { ...A } }\nfragment A on Probe { name ...B }\nfragment B on Probe { child { ...A } }"
    status, body = await bounded(lambda: post(probe_client, orjson.dumps({"query": query})))
    refused(status, body, "BAD_USER_INPUT")
    assert "within itself" in body["errors"][0]["message"]
    assert calls.count == 0


async def test_first_99999999_is_over_the_cost_limit(probe_client: GatewayClient, calls: Calls) -> None:
    query = "{ probes(first: 99999999) { name items { name } } }"
    status, body = await post(probe_client, orjson.dumps({"query": query}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "cost"
    assert calls.count == 0


async def test_cost_follows_first_given_in_variables(probe_client: GatewayClient, calls: Calls) -> None:
    query = "query Q($n: Int!) { probes(first: $n) { name items(first: $n) { name } } }"
    for n, expect_refused in ((2, False), (99_999_999, True), (3, False)):
        payload = orjson.dumps({"query": query, "variables": {"n": n}})
        status, body = await post(probe_client, payload)
        if expect_refused:
            refused(status, body)
        else:
            assert status == 200 and "errors" not in body, body
    assert calls.names.count("probes") == 2


async def test_list_size_multiplies_the_selection_below(make_probe_gateway: Any, calls: Calls) -> None:
    client = await make_probe_gateway(limits={"max_cost": 500})
    # 1 + 20 * (1 + 20 * 1) = 421: within the limit.
    ok = "{ probes(first: 20) { items(first: 20) { name } } }"
    status, body = await post(client, orjson.dumps({"query": ok}))
    assert status == 200, body
    # 1 + 25 * (1 + 20 * 1) = 526: over it.
    over = "{ probes(first: 25) { items(first: 20) { name } } }"
    status, body = await post(client, orjson.dumps({"query": over}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["maximum"] == 500


async def test_a_ten_megabyte_string_argument(probe_client: GatewayClient, calls: Calls) -> None:
    text = "x" * 10_000_000
    payload = orjson.dumps({"query": "query($t: String!) { echo(text: $t) }", "variables": {"t": text}})
    inline = orjson.dumps({"query": '{ echo(text: "' + text + '") }'})
    for body_bytes in (payload, inline):
        response = await bounded(
            lambda b=body_bytes: probe_client.http.post("/graphql", content=b, headers=JSON)
        )
        assert response.status_code == 413
        assert error_codes(response.json()) == ["OPERATION_LIMIT"]
    assert calls.count == 0


async def test_variables_nested_100000_deep(probe_client: GatewayClient, calls: Calls) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    payload = b'{"query": "query($t: String!) { echo(text: $t) }", "variables": {"t": ' + nested + b"}}"
    status, body = await bounded(lambda: post(probe_client, payload))
    refused(status, body)
    # Within the JSON parser's own bound, the variables limit decides.
    shallow: Any = "x"
    for _ in range(25):
        shallow = [shallow]
    payload = orjson.dumps({"query": "query($t: String!) { echo(text: $t) }", "variables": {"t": shallow}})
    status, body = await post(probe_client, payload)
    refused(status, body)
    assert "nested deeper" in body["errors"][0]["message"]
    assert calls.count == 0


async def test_large_variables_are_refused(probe_client: GatewayClient, calls: Calls) -> None:
    variables = {"t": ["y" * 1_000] * 200}  # ~200 kB, body within 1 MB
    payload = orjson.dumps({"query": "query($t: [String!]) { probe { name } }", "variables": variables})
    status, body = await post(probe_client, payload)
    refused(status, body)
    assert "larger than" in body["errors"][0]["message"]
    assert calls.count == 0


async def test_a_batch_of_a_thousand_operations(make_probe_gateway: Any, calls: Calls) -> None:
    batch = orjson.dumps([{"query": "{ probe { name } }"}] * 1_000)
    off = await make_probe_gateway()
    status, body = await bounded(lambda: post(off, batch))
    refused(status, body, "BAD_USER_INPUT")
    assert "turned off" in body["errors"][0]["message"]
    on = await make_probe_gateway(limits={"batching": True, "max_batch": 5})
    status, body = await bounded(lambda: post(on, batch))
    refused(status, body)
    assert calls.count == 0
    status, answers = await post(on, orjson.dumps([{"query": "{ probe { name } }"}] * 3))
    assert status == 200
    assert [a["data"]["probe"]["name"] for a in answers] == ["p", "p", "p"]


async def test_courses_first_99999999_runs_no_sql(client: GatewayClient, sql_counter: Any) -> None:
    """The catalogue's real ``courses(first:)``: a connection page past
    ``limits.max_page_size`` is the client's mistake (BAD_USER_INPUT, decided
    by the catalogue), refused by the same walk before its resolver (or any
    SQL) runs; plain lists are held by the cost limit (above)."""
    query = "{ courses(first: 99999999) { totalCount edges { node { title provider { name } } } } }"
    with sql_counter as counter:
        status, body = await post(client, orjson.dumps({"query": query}))
    refused(status, body, "BAD_USER_INPUT")
    assert body["errors"][0]["extensions"]["field"] == "first"
    assert counter.count == 0
    # An ordinary page is within the limit and runs.
    ok = await client.graphql("{ courses(first: 20) { edges { node { title } } } }")
    assert ok["_status"] == 200


async def test_the_time_limit_stops_a_slow_operation(make_probe_gateway: Any, calls: Calls) -> None:
    client = await make_probe_gateway(limits={"request_timeout_seconds": 0.2})
    legacy = await client.http.post("/graphql", json={"query": "{ slow }"})
    assert legacy.status_code == 200
    assert legacy.json()["data"] is None
    assert error_codes(legacy.json()) == ["OPERATION_LIMIT"]
    strict = await client.http.post(
        "/graphql", json={"query": "{ slow }"}, headers={"accept": "application/graphql-response+json"}
    )
    assert strict.status_code == 504
    assert error_codes(strict.json()) == ["OPERATION_LIMIT"]
    assert calls.names == ["slow", "slow"]  # started, and cancelled before finishing


async def test_five_hundred_operations_sharing_one_fragment(
    probe_client: GatewayClient, calls: Calls, monkeypatch: Any
) -> None:
    """500 operations in a document of ~3,000 tokens (under the token limit)
    are refused by the operation count before graphql-core validates them."""
    import gateway.extensions

    validated: list[object] = []
    real_validate = gateway.extensions.validate

    def counting_validate(*args: Any, **kwargs: Any) -> Any:
        validated.append(args[1])
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(gateway.extensions, "validate", counting_validate)
    operations = "\n".join(f"query Q{i} {{ ...F }}" for i in range(500))
    query = operations + "\nfragment F on Query { probe { name } }"
    payload = orjson.dumps({"query": query, "operationName": "Q0"})
    # About 50 calls a token to lex and parse 3,000 tokens; nothing after the count.
    status, body = await bounded(lambda: post(probe_client, payload), calls=250_000)
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "operations"
    assert body["errors"][0]["extensions"]["maximum"] == 3
    assert validated == [] and calls.count == 0
    # Three operations are within the limit: the chosen one runs.
    three = "\n".join(f"query Q{i} {{ ...F }}" for i in range(3)) + "\nfragment F on Query { probe { name } }"
    status, body = await post(probe_client, orjson.dumps({"query": three, "operationName": "Q2"}))
    assert status == 200 and body["data"] == {"probe": {"name": "p"}}, body
    assert len(validated) == 1


async def test_too_many_fragments(probe_client: GatewayClient, calls: Calls) -> None:
    # A chain: each fragment spreads the next (one root field in all).
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(59))
    fragments += "\nfragment F59 on Query { probe { name } }"
    query = "{ ...F0 }\n" + fragments
    status, body = await post(probe_client, orjson.dumps({"query": query}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "fragments"
    assert body["errors"][0]["extensions"]["maximum"] == 20
    assert calls.count == 0
    within = "{ ...F40 }\n" + "\n".join(fragments.splitlines()[40:])
    status, body = await post(probe_client, orjson.dumps({"query": within}))
    assert status == 200 and body["data"] == {"probe": {"name": "p"}}, body


async def test_one_field_repeated_a_thousand_times(probe_client: GatewayClient, calls: Calls) -> None:
    """Validation compares every pair of fields with one response name
    (quadratic): more than ``max_repeated_fields`` in one selection set are
    refused by the walk first."""
    query = "{ probe { " + "name " * 1_000 + "} }"
    status, body = await post(probe_client, orjson.dumps({"query": query}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "repeated fields"
    assert body["errors"][0]["extensions"]["maximum"] == 10
    assert calls.count == 0
    status, body = await post(probe_client, orjson.dumps({"query": "{ probe { " + "name " * 10 + "} }"}))
    assert status == 200 and body["data"] == {"probe": {"name": "p"}}, body


async def test_repeats_hidden_in_inline_fragments(probe_client: GatewayClient, calls: Calls) -> None:
    query = "{ probe { " + "... on Probe { name } " * 100 + "} }"  # 100 x name, 700 tokens
    status, body = await post(probe_client, orjson.dumps({"query": query}))
    refused(status, body)
    assert body["errors"][0]["extensions"]["limit"] == "repeated fields"
    assert calls.count == 0
