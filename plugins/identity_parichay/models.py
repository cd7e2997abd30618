"""The plugin's tables: sign-ins in progress and onboarded mobile numbers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.db.types import UTCDateTime, new_metadata, utcnow


class ParichayBase(DeclarativeBase):
    metadata = new_metadata()


class SignInStateRow(ParichayBase):
    """One sign-in between the login redirect and the callback (single use)."""

    __tablename__ = "parichay_sign_in_states"

    # SHA-256 of the state value; the value itself lives only in the URL and
    # in the browser's sign-in cookie.
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    code_verifier: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str | None] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(Text)
    want_json: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class OnboardedMobileRow(ParichayBase):
    """A mobile number an organisation admin vouched for (Jan Parichay)."""

    __tablename__ = "parichay_onboarded_mobiles"

    mobile: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The core organisation's id (another lineage's table, so no foreign key).
    organisation_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    onboarded_by: Mapped[str] = mapped_column(String(64))
    onboarded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
