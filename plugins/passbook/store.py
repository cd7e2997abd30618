"""Small SQL helpers shared by the passbook's writers."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from plugins.passbook.models import EnrolmentRow

IST = ZoneInfo("Asia/Kolkata")


def today_ist(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(IST).date()


def ist_month_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where the Asia/Kolkata calendar month of ``moment`` starts and ends."""
    local = moment.astimezone(IST)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def insert_for(session: AsyncSession, model: Any) -> Any:
    """``INSERT`` with the dialect's ``ON CONFLICT`` support."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


async def lock_enrolment(session: AsyncSession, enrolment_id: str) -> EnrolmentRow | None:
    """The enrolment, locked until the transaction ends (PostgreSQL ``FOR UPDATE``;
    SQLite's writer already holds the database lock from ``BEGIN IMMEDIATE``)."""
    row: EnrolmentRow | None = await session.scalar(
        select(EnrolmentRow)
        .where(EnrolmentRow.id == enrolment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return row
