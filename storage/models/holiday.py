"""The UPG's holiday overrides: dates added as holidays or removed from the package's list."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from storage.models.base import when

ADD = "add"  # the office is closed although the `holidays` package does not say so
REMOVE = "remove"  # the office works although the package lists a holiday


class HolidayOverride(SQLModel, table=True):
    """One date whose working-day status the UPG set by hand (`wbs holidays add|remove`)."""

    __tablename__ = "holiday_override"

    day: date = Field(primary_key=True)
    kind: str = Field(max_length=8)
    note: str = Field(default="", max_length=200)  # e.g. "Cuti bersama tambahan (Keppres ...)"
    created_at: datetime = when(default_now=True)
