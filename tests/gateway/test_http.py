"""HTTP surface: /graphql errors are 4xx with codes, health endpoints, request ids."""

from __future__ import annotations

from gateway.testing import GatewayClient


async def test_malformed_json_is_400_with_errors(client: GatewayClient) -> None:
    response = await client.http.post(
        "/graphql", content=b'{"query": "{ me { id } }"', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}


async def test_malformed_graphql_has_errors_and_no_data(client: GatewayClient) -> None:
    """application/json: 200 (the GraphQL-over-HTTP spec's SHOULD; see
    docs/graphql-over-http.md); application/graphql-response+json: 400."""
    for headers, status in (({}, 200), (GRAPHQL_RESPONSE, 400)):
        response = await client.http.post(
            "/graphql", json={"query": "{ organisations { name "}, headers=headers
        )
        assert response.status_code == status
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["locations"]


async def test_unknown_field_is_a_validation_error(client: GatewayClient) -> None:
    for headers, status in (({}, 200), (GRAPHQL_RESPONSE, 400)):
        response = await client.http.post(
            "/graphql", json={"query": "{ organisationz { name } }"}, headers=headers
        )
        assert response.status_code == status
        assert "data" not in response.json()
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_variables_that_do_not_coerce(client: GatewayClient) -> None:
    query = "query($s: String) { organisations(search: $s) { name } }"
    for headers, status in (({}, 200), (GRAPHQL_RESPONSE, 400)):
        response = await client.http.post(
            "/graphql", json={"query": query, "variables": {"s": {"not": "a string"}}}, headers=headers
        )
        assert response.status_code == status
        assert "data" not in response.json()
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_get_runs_queries_and_refuses_mutations(client: GatewayClient) -> None:
    ok = await client.http.get("/graphql", params={"query": "{ competencies(area: DOMAIN) { id } }"})
    assert ok.status_code == 200 and ok.json()["data"]["competencies"]
    mutation = await client.http.get(
        "/graphql",
        params={"query": 'mutation { requestOrganisation(input: {name: "X"}) { id } }'},
    )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"


async def test_graphiql_page_for_browsers_in_development(client: GatewayClient) -> None:
    page = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "karmayogi token" in page.text


async def test_request_id_is_echoed_or_made(client: GatewayClient) -> None:
    mine = await client.http.get("/healthz", headers={"x-request-id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    made = await client.http.get("/healthz", headers={"x-request-id": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces" and len(made.headers["x-request-id"]) == 32


async def test_health_and_readiness(client: GatewayClient) -> None:
    assert (await client.http.get("/healthz")).json() == {"status": "ok"}
    ready = await client.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] is True


async def test_readiness_fails_when_the_database_is_unreachable(client: GatewayClient) -> None:
    from gateway.db import Database

    real = client.gateway.db
    client.gateway.db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        ready = await client.http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] is False
        assert (await client.http.get("/healthz")).status_code == 200
    finally:
        await client.gateway.db.dispose()
        client.gateway.db = real
