"""Run the ``graphql-http`` audit suite against a real, running gateway.

    python tools/graphql_http_audit.py            # starts a gateway on a free port
    python tools/graphql_http_audit.py --url URL  # audits a gateway already running

Needs Node and ``npm ci --prefix tools/graphql-http``. Prints each audit
that did not pass and a summary line; exits 1 if any MUST audit fails, 2 if
the tool cannot run. ``tests/gateway/test_graphql_over_http.py`` runs it too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "graphql-http"
INSTALL = "npm ci --prefix tools/graphql-http"


class AuditUnavailable(RuntimeError):
    """Node or the npm package is missing."""


def run_audit(url: str) -> list[dict[str, Any]]:
    """Every audit's result: ``{"id", "name", "status", "reason"?}``."""
    node = shutil.which("node")
    if node is None:
        raise AuditUnavailable("Node.js is needed for the graphql-http audit (install node).")
    if not (TOOL / "node_modules" / "graphql-http").is_dir():
        raise AuditUnavailable(f"graphql-http is not installed: run `{INSTALL}`.")
    done = subprocess.run(
        [node, str(TOOL / "audit.mjs"), url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise AuditUnavailable(f"audit.mjs failed ({done.returncode}): {done.stderr}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def audit_fresh_gateway() -> list[dict[str, Any]]:
    """Start a development gateway on a fresh SQLite database and audit it."""
    sys.path.insert(0, str(ROOT))
    from gateway.live_server import live_gateway

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "KARMAYOGI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/audit.db",
            "KARMAYOGI_LOG_JSON": "false",
            "KARMAYOGI_LOG_LEVEL": "WARNING",
        }
        with live_gateway(env, log_path=f"{tmp}/server.log") as server:
            return run_audit(f"{server.url}/graphql")


def summarise(results: list[dict[str, Any]]) -> tuple[str, int]:
    lines = []
    for result in results:
        if result["status"] != "ok":
            lines.append(f"{result['status'].upper():6} {result['name']}: {result.get('reason', '')}")
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("ok", "notice", "warn", "error")}
    lines.append(
        f"graphql-http audit: {counts['ok']} ok, {counts['error']} MUST failed, "
        f"{counts['warn']} SHOULD not met, {counts['notice']} notices"
    )
    return "\n".join(lines), counts["error"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="audit this running endpoint instead of starting one")
    args = parser.parse_args()
    try:
        results = run_audit(args.url) if args.url else audit_fresh_gateway()
    except AuditUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    text, failed = summarise(results)
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
