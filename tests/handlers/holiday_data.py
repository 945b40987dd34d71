"""Holiday data for the gift handler tests, read from the `holidays` package (never typed)."""

from __future__ import annotations

from datetime import date

import holidays

from handlers.workdays import WorkCalendar


def package_days(year: int, name: str, *, category: str = "public") -> list[date]:
    """Dates the `holidays` package gives a holiday whose English name starts with `name`."""
    table = holidays.country_holidays("ID", years=year, categories=(category,), language="en_US")
    return sorted(table.get_named(name, lookup="startswith"))


PUBLIC_ONLY = WorkCalendar()
WITH_CUTI_BERSAMA = WorkCalendar(cuti_bersama_is_holiday=True)
