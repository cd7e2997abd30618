from __future__ import annotations

from gateway.testing import GatewayClient


async def test_done_when_query_answers_from_demo_data(client: GatewayClient) -> None:
    body = await client.graphql(
        '{ organisations(search: "Personnel") { name children { name } } '
        "competencies(area: BEHAVIOURAL) { theme subTheme } }"
    )
    orgs = body["data"]["organisations"]
    names = [o["name"] for o in orgs]
    assert "Ministry of Personnel, Public Grievances and Pensions" in names
    ministry = next(o for o in orgs if o["name"].startswith("Ministry of Personnel"))
    assert {c["name"] for c in ministry["children"]} >= {"Department of Personnel and Training"}
    themes = {c["theme"] for c in body["data"]["competencies"]}
    assert "Leadership" in themes
