"""Core identity: gateway sessions, development sign-in, roles and approvals."""
