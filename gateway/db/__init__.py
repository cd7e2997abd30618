"""Storage: engine, shared column types and per-plugin migrations."""

from gateway.db.engine import Database, mask_url
from gateway.db.types import UTCDateTime, new_metadata, utcnow

__all__ = ["Database", "UTCDateTime", "mask_url", "new_metadata", "utcnow"]
