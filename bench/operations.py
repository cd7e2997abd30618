"""The operations the benchmark sends."""

from __future__ import annotations

from pathlib import Path

DASHBOARD = (Path(__file__).parent / "queries" / "dashboard.graphql").read_text()
SEARCH = """query($q: String!) { courses(search: $q, first: 20) {
  totalCount edges { node { id title durationMinutes provider { id name } } }
  facets { areas { value count } languages { value count } } } }"""
PROGRESS = """mutation($e: ID!, $r: ID!, $p: Int!) {
  recordProgress(enrolmentId: $e, resourceId: $r, percent: $p) { id status progressPercent } }"""
TERMS = ["Synthetic", "course 01", "course 1", "Synthetic course 00", "course"]
