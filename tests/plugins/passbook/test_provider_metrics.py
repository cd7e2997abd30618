"""The passbook's own calls to providers (the course check of a write, grading)
are measured like the catalogue's."""

from __future__ import annotations

from gateway.testing import GatewayClient
from tests.plugins.passbook.helpers import ASHA, QUIZ, answers, enrol
from tests.security.test_observability import metrics_text, sample


def istm_calls(text: str, call: str) -> float:
    return sample(text, "karmayogi_provider_call_duration_seconds_count", provider="istm", call=call) or 0


async def test_enrolling_and_grading_are_measured(client: GatewayClient) -> None:
    before = await metrics_text(client)
    enrolment = await enrol(client)
    quiz, right = answers("office-procedure", right=True)
    body = await client.graphql(QUIZ, {"e": enrolment, "r": quiz, "a": right}, as_learner=ASHA)
    assert body["data"]["submitQuiz"]["passed"] is True
    after = await metrics_text(client)
    assert istm_calls(after, "courses_by_ids") > istm_calls(before, "courses_by_ids")
    assert istm_calls(after, "grade_quiz") - istm_calls(before, "grade_quiz") == 1
    errors = [line for line in after.splitlines() if line.startswith("karmayogi_provider_errors_total{")]
    assert not [line for line in errors if 'provider="istm"' in line]
