"""The contract's scalars: ``DateTime`` (RFC 3339 with offset) and ``Date``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

IST = ZoneInfo("Asia/Kolkata")


def _serialize_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:  # stored values are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(IST).isoformat()


def _parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an RFC 3339 string")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs an offset, e.g. 2026-11-28T10:15:00+05:30")
    return parsed


def _parse_date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError("Date must be a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Date must be YYYY-MM-DD, got {value!r}") from exc


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="RFC 3339 date and time with offset (served in Asia/Kolkata).",
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)

DateScalar = strawberry.scalar(
    name="Date",
    description="Calendar date, YYYY-MM-DD.",
    serialize=lambda value: value.isoformat(),
    parse_value=_parse_date,
)

SCALAR_OVERRIDES: dict[object, Any] = {dt.datetime: DateTimeScalar, dt.date: DateScalar}
