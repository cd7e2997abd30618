"""The federated catalogue: one ``courses`` graph over every content provider."""
