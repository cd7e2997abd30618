"""Parichay identity: sign-in through the government SSO (see the identity issue)."""

__version__ = "0.1.0"
