"""A stand-in for IGNOU's catalogue service, used by the tests, the bench and
``karmayogi demo ignou``: a real HTTP GraphQL server implementing
``provider_api.graphql`` over demo programmes."""
