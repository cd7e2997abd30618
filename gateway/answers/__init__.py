"""The answer cache: query answers per caller, operation and variables, keyed
by the versions of everything they read, so they are never stale
(docs/caching.md)."""
