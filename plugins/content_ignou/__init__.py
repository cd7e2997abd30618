"""IGNOU: external courses read live from IGNOU's provider API (see the content issue)."""

__version__ = "0.1.0"
