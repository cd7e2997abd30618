"""Runs the checks and prints the pass/fail table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.conformance.checks import CHECKS, CheckFailed


@dataclass(frozen=True)
class Result:
    name: str
    passed: bool
    detail: str


async def run_checks(provider: Any) -> list[Result]:
    """Every check against ``provider``; one failing never stops the others."""
    results = []
    for check in CHECKS:
        try:
            await check.run(provider)
        except CheckFailed as exc:
            results.append(Result(check.name, False, str(exc)))
        except Exception as exc:  # a crash is a failure of that check, named
            results.append(Result(check.name, False, f"{type(exc).__name__}: {exc}"))
        else:
            results.append(Result(check.name, True, check.description))
    return results


def table(target: str, results: list[Result]) -> str:
    width = max(len(r.name) for r in results)
    lines = [f"Provider conformance: {target}", f"{'CHECK'.ljust(width)}  RESULT  DETAIL"]
    lines += [f"{r.name.ljust(width)}  {'PASS' if r.passed else 'FAIL':6}  {r.detail}" for r in results]
    failed = sum(1 for r in results if not r.passed)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)


def print_results(target: str, results: list[Result], echo: Callable[[str], Any]) -> bool:
    echo(table(target, results))
    return all(r.passed for r in results)
