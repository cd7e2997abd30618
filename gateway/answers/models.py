"""The answer cache's one table: a version number per scope (docs/caching.md).

The row ``~epoch`` holds a random number chosen when the table was made, so a
database made afresh never reuses the keys of answers cached for an older one.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import new_metadata

EPOCH = "~epoch"


class AnswersBase(DeclarativeBase):
    metadata = new_metadata()


class ScopeVersionRow(AnswersBase):
    __tablename__ = "cache_versions"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
