"""Requests refused at the HTTP layer: cross-site content types, mutations
over GET, bodies over the size limit (with and without Content-Length)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway.testing import GatewayClient, error_codes
from tests.security.probe import Calls, bounded


async def test_text_plain_and_form_posts_are_refused(probe_client: GatewayClient, calls: Calls) -> None:
    for content_type, content in (
        ("text/plain", '{"query": "mutation { touchProbe { name } }"}'),
        ("application/x-www-form-urlencoded", "query=mutation+%7B+touchProbe+%7B+name+%7D+%7D"),
        ("multipart/form-data; boundary=x", "--x\r\n\r\nmutation { touchProbe { name } }\r\n--x--"),
        ("", '{"query": "mutation { touchProbe { name } }"}'),
    ):
        response = await probe_client.http.post(
            "/graphql", content=content, headers={"content-type": content_type}
        )
        assert response.status_code == 415, content_type
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert calls.count == 0


async def test_a_mutation_over_get_is_refused(probe_client: GatewayClient, calls: Calls) -> None:
    response = await probe_client.http.get("/graphql", params={"query": "mutation { touchProbe { name } }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert calls.count == 0
    # The same mutation over POST runs.
    body = await probe_client.graphql("mutation { touchProbe { name } }")
    assert body["data"]["touchProbe"]["name"] == "touched"


async def test_a_body_over_the_limit_with_content_length(probe_client: GatewayClient, calls: Calls) -> None:
    payload = b'{"query": "{ probe { name } }", "pad": "' + b"x" * 2_000_000 + b'"}'

    async def send() -> tuple[int, list[str | None]]:
        response = await probe_client.http.post(
            "/graphql", content=payload, headers={"content-type": "application/json"}
        )
        return response.status_code, error_codes(response.json())

    assert await bounded(send) == (413, ["OPERATION_LIMIT"])
    assert calls.count == 0


async def test_a_body_over_the_limit_without_content_length(
    probe_client: GatewayClient, calls: Calls
) -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ probe { name } }", "pad": "'
        for _ in range(10_000):  # up to 10 MB, in 1 kB chunks
            sent.append(1)
            yield b"x" * 1_000
        yield b'"}'

    response = await probe_client.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert error_codes(response.json()) == ["OPERATION_LIMIT"]
    assert calls.count == 0


async def test_unknown_accept_is_refused_with_406(probe_client: GatewayClient) -> None:
    response = await probe_client.http.post(
        "/graphql", json={"query": "{ probe { name } }"}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 406
