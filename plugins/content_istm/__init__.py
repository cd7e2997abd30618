"""ISTM: hosted courses synced from ISTM's catalogue feed (see the content issue)."""

__version__ = "0.1.0"
