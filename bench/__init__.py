"""Benchmarks (run with ``python -m bench.dashboard``); see bench/README.md."""
