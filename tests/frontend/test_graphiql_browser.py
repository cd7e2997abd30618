"""A frontend developer's first minutes, in a real browser with no internet:
open GraphiQL, sign in as a demo learner, run the dashboard query, read the
answer off the page (issue 14). One server and one browser for the whole
walk, to keep CI short."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.live_server import live_gateway
from tests.frontend.browser import PHONE, chromium

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = (ROOT / "bench/queries/dashboard.graphql").read_text()
SHOTS = ROOT / "tests/frontend/screenshots"


def editor_value(page, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.eval_on_selector(f"{selector} .CodeMirror", "node => node.CodeMirror.getValue()"))


def test_graphiql_signs_in_and_runs_the_dashboard_offline(tmp_path: Path) -> None:
    SHOTS.mkdir(exist_ok=True)
    env = {"KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'first-hour.db'}"}
    with (
        live_gateway(env, log_path=str(tmp_path / "server.log")) as server,
        chromium(server.url, tmp_path / "profile") as (page, outside),
    ):
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # The front page leads to sign-in; sign in as a demo learner, land in GraphiQL.
        page.goto(server.url + "/")
        page.click("text=Development sign-in")
        page.locator("tr", has_text="Asha Verma").locator("button").click()
        page.wait_for_url("**/graphql")
        page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)

        # The schema loaded under the default limits: the docs panel shows the root type.
        page.click('[aria-label="Show Documentation Explorer"]')
        page.screenshot(path=str(SHOTS / "graphiql-docs.png"))
        page.wait_for_selector(".graphiql-doc-explorer >> text=Query", timeout=15_000)
        assert page.locator("text=Error fetching schema").count() == 0

        page.eval_on_selector(
            ".graphiql-query-editor .CodeMirror", "(node, q) => node.CodeMirror.setValue(q)", DASHBOARD
        )
        page.click(".graphiql-execute-button")
        page.wait_for_function(
            "() => document.querySelector('.graphiql-response .CodeMirror')"
            ".CodeMirror.getValue().includes('enrolments')",
            timeout=30_000,
        )
        page.screenshot(path=str(SHOTS / "graphiql-dashboard.png"))
        answer = json.loads(editor_value(page, ".graphiql-response"))

        # The certificate's QR link, opened on a phone-sized screen.
        nodes = [e["node"] for e in answer["data"]["me"]["enrolments"]["edges"]]
        verify_url = next(n["certificate"]["verifyUrl"] for n in nodes if n["certificate"])
        assert verify_url.startswith(server.url + "/passbook/verify/")  # the port it serves on
        phone = page.context.new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(verify_url)
        phone.screenshot(path=str(SHOTS / "verify-phone.png"), full_page=True)
        state = phone.locator("[role=status]").inner_text()
        details = phone.locator("dl").inner_text()
        overflow = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        phone.goto(verify_url[:-1] + ("B" if verify_url[-1] != "B" else "C"))
        refused = phone.locator("[role=status]").inner_text()

    assert "errors" not in answer, answer
    me = answer["data"]["me"]
    assert me["name"] == "Asha Verma"
    assert me["enrolments"]["totalCount"] > 0
    assert me["passbook"]["entries"] and me["plan"]
    assert "मान्य प्रमाणपत्र" in state and "Valid certificate" in state
    assert "Asha Verma" in details and "Institute" in details and "IST" in details
    assert not overflow, "the verify page is wider than a phone"
    assert "Not a valid certificate" in refused and "अमान्य" in refused
    assert errors == [], errors
    assert outside.urls == [], f"the page asked the internet for {outside.urls}"
