"""The baselines answer with the gateway's bytes: checked before any load.

For each learner the dashboard is asked of the gateway, the lean server and
(PostgreSQL) the floor; the first difference stops the run with a diff of the
two answers, pretty-printed.
"""

from __future__ import annotations

import difflib
import json

import httpx

from bench.operations import DASHBOARD


class NotIdentical(SystemExit):
    pass


def diff(expected: bytes, got: bytes, names: tuple[str, str], limit: int = 60) -> str:
    def pretty(body: bytes) -> list[str]:
        try:
            return json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines()
        except ValueError:
            return body.decode(errors="replace").splitlines()

    lines = list(difflib.unified_diff(pretty(expected), pretty(got), *names, lineterm="", n=2))
    if not lines:  # same JSON, different bytes (key order, spacing, escapes)
        lines = [f"same JSON, different bytes: {expected[:200]!r} against {got[:200]!r}"]
    cut = f"\n... ({len(lines) - limit} more lines)" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + cut


async def check(ports: dict[str, int], learners: list[str]) -> int:
    """Ask every server on ``ports`` (the first is the reference) for each
    learner's dashboard; raise :class:`NotIdentical` with a diff on the first
    difference. Returns the number of answers compared."""
    reference, *others = ports
    compared = 0
    async with httpx.AsyncClient(timeout=60) as http:
        for who in learners:
            answers = {}
            for name, port in ports.items():
                response = await http.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": DASHBOARD},
                    headers={"x-test-learner": who},
                )
                answers[name] = response.content
            for name in others:
                if answers[name] != answers[reference]:
                    raise NotIdentical(
                        f"{name} and {reference} answer {who}'s dashboard differently:\n"
                        + diff(answers[reference], answers[name], (reference, name))
                    )
                compared += 1
            if b'"errors"' in answers[reference]:
                raise NotIdentical(
                    f"{reference} answered {who}'s dashboard with errors: {answers[reference][:500]!r}"
                )
    return compared
