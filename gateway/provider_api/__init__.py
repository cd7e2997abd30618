"""The remote provider API (``provider_api.graphql``): the client with time limits
and a circuit breaker, and records of its courses. Used by the IGNOU plugin, by
any plugin of an institute that serves the same API, and by the conformance kit."""
