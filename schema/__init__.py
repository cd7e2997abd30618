"""Shared GraphQL types and the contracts plugins implement."""
