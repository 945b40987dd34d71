"""Settings of the gift (gratifikasi) track (`settings.gift`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from storage.settings import Section


class GiftSettings(Section):
    """Working-day calendar choices and where exports go."""

    # Cuti bersama (joint leave, category GOVERNMENT) closes most offices, but it is leave,
    # not a public holiday: counting it as a working day gives the earlier, safer deadline.
    cuti_bersama_is_holiday: bool = False
    # Islamic holidays the `holidays` package only estimates are working days unless trusted.
    trust_estimated_holidays: bool = False
    # Where `wbs export gift CODE` writes files (default: <data_dir>/exports).
    export_dir: Path | None = Field(None, validation_alias="WBS_GIFT_EXPORT_DIR")
