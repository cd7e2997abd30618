"""Provider API courses as catalogue records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schema.providers import CompetencyTag, CourseRecord, ProviderError


def record_of(item: Any, provider_id: str) -> CourseRecord:
    """A provider API course as a record; :class:`ProviderError` if malformed."""
    try:
        languages = tuple(str(x) for x in item["languages"])
        record = CourseRecord(
            id=f"{provider_id}:{item['id']}",
            provider_id=provider_id,
            title=str(item["title"]),
            description=str(item["description"]),
            languages=languages,
            duration_minutes=int(item["durationMinutes"]),
            delivery_mode="EXTERNAL",
            updated_at=dt.datetime.fromisoformat(item["updatedAt"]),
            category=item.get("category"),
            competencies=tuple(CompetencyTag(str(c["id"]), c.get("level")) for c in item["competencies"]),
            external_url=str(item["externalUrl"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"the provider API sent a malformed course ({exc!r})") from None
    if record.updated_at.tzinfo is None or not (record.external_url or "").startswith("http"):
        raise ProviderError(f"the provider API sent a malformed course {record.id}")
    return record
