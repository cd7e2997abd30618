"""What the operation limits cost per request, measured in one run.

    .venv/bin/python bench/limits.py [--requests 2000]

Composes the same schema (all built-in plugins, demo data in a fresh SQLite
file) four times, differing only in the extensions in front of execution, and
runs the same operations through ``schema.execute`` on each:

* ``no limits, no caches``: Strawberry as it comes (baseline);
* ``strawberry caches``: ParserCache + ValidationCache, no limits;
* ``strawberry limiters``: ParserCache + ValidationCache + QueryDepthLimiter +
  MaxAliasesLimiter + MaxTokensLimiter, passed as factories as Strawberry
  asks (their validation rules change per instance, which defeats
  ValidationCache's key, so every request validates again);
* ``gateway guard``: our OperationGuard (tokens, depth, aliases, root fields,
  cost and introspection in one walk; parse, walk and validation cached).

Prints one table: mean, p50 and p99 microseconds per request and the
difference to the baseline.

Then it times the guard's uncached work (parse, walk, validation: what a
stream of distinct hostile documents makes every request pay) on the worst
documents that stay under every limit: the most operations, the most
fragments, all spread together (graphql-core compares every pair of
fragments for overlapping fields), up to the token limit. Each must pass the
limits (it is asserted), and its cost is printed in milliseconds; the goal is
a few milliseconds. A timing goal lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from typing import Any

from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from gateway.composition import compose
from gateway.context import RequestContext
from gateway.extensions import check_document, core_extensions
from gateway.host import build_gateway
from gateway.settings import load_settings

OPERATIONS = {
    "directory": """
        query Directory {
          organisations(search: "Personnel") { ...Org children { ...Org children { ...Org } } }
          competencies(area: BEHAVIOURAL) { id area theme subTheme description }
        }
        fragment Org on Organisation { id name type isContentProvider root { id name } }
    """,
    "static": """
        query Static { ...A b: __typename }
        fragment A on Query { __typename c: __typename ...B }
        fragment B on Query { d: __typename e: __typename }
    """,
}


def configurations(settings: Any) -> dict[str, list[Any]]:
    limits = settings.limits
    return {
        "no limits, no caches": [],
        "strawberry caches": [ParserCache, ValidationCache],
        "strawberry limiters": [
            ParserCache,
            ValidationCache,
            lambda: QueryDepthLimiter(max_depth=limits.max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        ],
        "gateway guard": core_extensions(settings),
    }


def worst_case_documents(limits: Any) -> dict[str, str]:
    """Documents that pass every limit while making the guard work hardest."""
    ops, frags = limits.max_operations, limits.max_fragments
    # Fragments on Organisation, each selecting the same response names with
    # nested lists, all spread in one selection set in every operation.
    fragment_body = "id name type children { id name type }"
    fragments = "\n".join(f"fragment F{i} on Organisation {{ {fragment_body} }}" for i in range(frags))
    spreads = " ".join(f"...F{i}" for i in range(frags))
    shared = "\n".join(f"query Q{i} {{ organisations {{ {spreads} }} }}" for i in range(ops))
    # Conflicting arguments under one response name (as many as the root
    # field limit lets one operation spread): validation reports each pair.
    per_op = limits.max_root_fields
    conflicting = "\n".join(
        f'fragment C{i} on Query {{ organisations(search: "{i}") {{ name }} }}' for i in range(frags)
    )
    conflict_ops = "\n".join(
        f"query K{i} {{ " + " ".join(f"...C{(i * per_op + j) % frags}" for j in range(per_op)) + " }"
        for i in range(ops)
    )
    # As many fields under one parent as the token limit allows, each response
    # name repeated as often as allowed, spread over inline fragments.
    names = ["id", "name", "type", "isContentProvider"]
    per_name = limits.max_repeated_fields
    inline = "... on Organisation { " + " ".join(names) + " }"
    wide = "{ organisations { " + " ".join([inline] * per_name) + " } }"
    return {
        "shared fragments": shared + "\n" + fragments,
        "conflicting fragments": conflict_ops + "\n" + conflicting,
        "wide selection": wide,
    }


def time_worst_cases(schema: Any, settings: Any, rounds: int) -> list[tuple[str, int, float, float, float]]:
    graphql_schema = schema._schema
    rows = []
    for name, query in worst_case_documents(settings.limits).items():
        checked = check_document(graphql_schema, query, settings, None, ())
        if checked.document is None:
            raise SystemExit(f"worst case {name!r} is refused by a limit: {checked.errors[0].message}")
        tokens = sum(1 for _ in _tokens(query))
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            check_document(graphql_schema, query, settings, None, ())
            timings.append((time.perf_counter() - started) * 1e3)
        timings.sort()
        rows.append((name, tokens, timings[0], statistics.mean(timings), timings[int(len(timings) * 0.99)]))
    return rows


def _tokens(query: str) -> Any:
    from graphql.language import Lexer, Source, TokenKind

    lexer = Lexer(Source(query))
    while lexer.advance().kind != TokenKind.EOF:
        yield lexer.token


async def measure(schema: Any, gateway: Any, query: str, requests: int) -> list[float]:
    timings = []
    for i in range(requests + 50):
        context = RequestContext(gateway=gateway, request=None, principal=None, request_id="bench")
        started = time.perf_counter()
        result = await schema.execute(query, context_value=context)
        elapsed = time.perf_counter() - started
        if result.errors:
            raise SystemExit(f"bench operation failed: {result.errors}")
        if i >= 50:  # warm-up excluded
            timings.append(elapsed * 1e6)
    return timings


async def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp}/bench.db", log_json=False)
        gateway = build_gateway(settings)
        await gateway.start()
        try:
            contributions = gateway.plugins.call_each("register_schema", gateway=gateway)
            schemas = {
                name: compose(contributions, core_extensions=extensions)[0]
                for name, extensions in configurations(settings).items()
            }
            rows = []
            for op_name, query in OPERATIONS.items():
                results = {}
                # Interleave configurations so drift on a busy machine hits all alike.
                for _ in range(2):
                    for name, schema in schemas.items():
                        results.setdefault(name, []).extend(
                            await measure(schema, gateway, query, requests // 2)
                        )
                baseline = statistics.mean(results["no limits, no caches"])
                for name, timings in results.items():
                    timings.sort()
                    mean = statistics.mean(timings)
                    rows.append(
                        (
                            op_name,
                            name,
                            mean,
                            timings[len(timings) // 2],
                            timings[int(len(timings) * 0.99)],
                            mean - baseline,
                        )
                    )
            worst = time_worst_cases(schemas["gateway guard"], settings, rounds=max(requests // 20, 20))
        finally:
            await gateway.stop()
    print(f"{requests} requests per row, schema.execute in one process (microseconds per request)")
    header = f"{'operation':10} {'extensions':22} {'mean':>8} {'p50':>8} {'p99':>8} {'vs baseline':>12}"
    print(header)
    print("-" * len(header))
    for op_name, name, mean, p50, p99, delta in rows:
        print(f"{op_name:10} {name:22} {mean:8.0f} {p50:8.0f} {p99:8.0f} {delta:+12.0f}")
    limits = settings.limits
    print()
    print(
        f"worst documents under every limit ({limits.max_operations} operations, "
        f"{limits.max_fragments} fragments, {limits.max_tokens} tokens), uncached guard (milliseconds)"
    )
    print(f"{'document':22} {'tokens':>7} {'min':>8} {'mean':>8} {'p99':>8}")
    for name, tokens, min_ms, mean_ms, p99_ms in worst:
        print(f"{name:22} {tokens:7} {min_ms:8.2f} {mean_ms:8.2f} {p99_ms:8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    asyncio.run(main(parser.parse_args().requests))
