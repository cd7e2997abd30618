"""The table ``bench.run`` prints, and the issues' goals checked against it."""

from __future__ import annotations

import argparse
import os
from typing import Any

OPERATION_ORDER = ("dashboard", "search", "recordProgress")
SERVER_ORDER = ("gateway cold", "gateway warm", "gateway", "floor", "lean", "naive", "static")


def table(rows: list[dict[str, Any]]) -> list[str]:
    sets = list(dict.fromkeys(r["set"] for r in rows))
    ordered = sorted(
        rows,
        key=lambda r: (sets.index(r["set"]), OPERATION_ORDER.index(r["op"]), SERVER_ORDER.index(r["server"])),
    )
    header = (
        f"{'set':<12}{'operation':<16}{'server':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms/req':>12}{'SQL/req':>9}{'bytes':>8}{'errors':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in ordered:
        lines.append(
            f"{r['set']:<12}{r['op']:<16}{r['server']:<14}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{r['cpu']:>12.2f}{r['sql']:>9}{r['bytes']:>8.0f}{int(r['errors']):>8}"
        )
    return lines


def goals(rows: list[dict[str, Any]], options: argparse.Namespace) -> list[str]:
    by = {(r["set"], r["op"], r["server"]): r for r in rows}
    sets = list(dict.fromkeys(r["set"] for r in rows))
    first = sets[0]

    def row(op: str, server: str) -> dict[str, Any] | None:
        return by.get((first, op, server))

    def verdict(ok: bool) -> str:
        return "met" if ok else "not met"

    out = []
    cold, warm = row("dashboard", "gateway cold"), row("dashboard", "gateway warm")
    floor, lean = row("dashboard", "floor"), row("dashboard", "lean")
    naive, static = row("dashboard", "naive"), row("dashboard", "static")
    assert cold is not None and warm is not None
    if floor is not None:
        ratio = cold["cpu"] / floor["cpu"] if floor["cpu"] else float("inf")
        out.append(
            f"issue 12, goal 1: cold dashboard CPU <= 3x the floor's ({first}): {cold['cpu']:.2f} ms against "
            f"{floor['cpu']:.2f} ms = {ratio:.1f}x -> {verdict(ratio <= 3)}"
        )
    if lean is not None:
        ratio = cold["rps"] / lean["rps"] if lean["rps"] else float("inf")
        out.append(
            f"issue 12, goal 1: cold dashboard req/s >= 4x the lean server's ({first}): {cold['rps']:.1f} against "
            f"{lean['rps']:.1f} = {ratio:.2f}x -> {verdict(ratio >= 4)}"
        )
    out.append(
        f"issue 12, goal 2: warm dashboard CPU <= 1 ms ({first}): {warm['cpu']:.2f} ms -> {verdict(warm['cpu'] <= 1)}"
    )
    if static is not None:
        share = warm["rps"] / static["rps"] if static["rps"] else 0.0
        out.append(
            f"issue 12, goal 2: warm dashboard req/s >= 1/10 of the static floor's ({first}): {warm['rps']:.1f} "
            f"against {static['rps']:.1f} = 1/{1 / share if share else float('inf'):.0f} -> {verdict(share >= 0.1)}"
        )
    out.append(
        f"issue 12, goal 3: dashboard SQL <= 10 ({first}): cold {cold['sql']}, warm {warm['sql']} -> "
        f"{verdict(max(cold['sql'], warm['sql']) <= 10)}"
    )
    search, progress = row("search", "gateway"), row("recordProgress", "gateway")
    if search is not None and progress is not None:
        out.append(
            f"issue 12, goal 4: search {search['rps']:.1f} req/s, recordProgress {progress['rps']:.1f} req/s "
            f"({first}; compare with the README's figures of the same set)"
        )
    if naive is not None:
        ratio = cold["rps"] / naive["rps"] if naive["rps"] else float("inf")
        out.append(
            f"issue 7: dashboard >= 5x naive throughput ({first}): {ratio:.1f}x -> {verdict(ratio >= 5)}"
        )
    out.append(
        f"issue 7: dashboard p99 < 50 ms at {options.concurrency} concurrent on {options.workers} workers "
        f"({first}): {cold['p99']:.1f} ms -> {verdict(cold['p99'] < 50)}"
    )
    second = sets[1] if len(sets) > 1 and sets[1].startswith("pg") else None  # not the SQLite set
    if second is not None and (small := by.get((second, "dashboard", "gateway cold"))) is not None:
        growth = cold["p50"] / small["p50"] - 1
        out.append(
            f"issue 7: dashboard p50 at {first} within 20 % of {second}: {growth * 100:+.0f} % -> "
            f"{verdict(growth <= 0.2)}"
        )
    return out


def report(rows: list[dict[str, Any]], options: argparse.Namespace) -> None:
    print()
    print(
        f"{options.concurrency} concurrent loopback clients, {options.workers} uvicorn workers, "
        f"{options.seconds:g} s per row, {os.cpu_count()} cores"
    )
    print("\n".join(table(rows)))
    print()
    print("\n".join(goals(rows, options)))
