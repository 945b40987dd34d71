"""The UPG's holiday overrides: `wbs holidays add|remove|list` and their effect on deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.cli.gift import holidays_add, holidays_remove, holidays_table
from bot.cli.main import main
from handlers.gift_clock import load_calendar, report_deadline
from handlers.workdays import working_days_after
from tests.handlers.holiday_data import package_days

LOCAL_HOLIDAY = date(2026, 7, 8)  # a Wednesday without national holidays around it


async def office_calendar(app: App):
    return await app.db.read(lambda s: load_calendar(session=s, settings=app.settings))


async def test_added_local_holiday_moves_the_reporting_deadline_by_one_day(app: App):
    received = LOCAL_HOLIDAY - timedelta(days=14)
    before = report_deadline(received, calendar=await office_calendar(app)).due
    await holidays_add(app, LOCAL_HOLIDAY, "HUT Kabupaten Banggai")
    calendar = await office_calendar(app)
    assert not calendar.is_working_day(LOCAL_HOLIDAY)
    after = report_deadline(received, calendar=calendar).due
    assert after == working_days_after(before, 1, calendar=calendar)


async def test_removing_an_added_holiday_restores_the_working_day(app: App):
    await holidays_add(app, LOCAL_HOLIDAY, "")
    message = await holidays_remove(app, LOCAL_HOLIDAY)
    assert message == f"{LOCAL_HOLIDAY} is now a working day"
    assert (await office_calendar(app)).is_working_day(LOCAL_HOLIDAY)


async def test_removing_a_national_holiday_makes_the_office_work_that_day(app: App):
    labour_day = package_days(2026, "International Labor Day")[0]
    assert not (await office_calendar(app)).is_working_day(labour_day)
    await holidays_remove(app, labour_day)
    assert (await office_calendar(app)).is_working_day(labour_day)
    await holidays_add(app, labour_day, "")  # and back: the removal is replaced, not stacked
    assert not (await office_calendar(app)).is_working_day(labour_day)


async def test_holiday_list_shows_package_days_overrides_and_how_they_count(app: App):
    await holidays_add(app, LOCAL_HOLIDAY, "HUT Kabupaten Banggai")
    lines = await holidays_table(app, 2026)
    joint = package_days(2026, "Christmas Joint", category="government")[0]
    christmas = package_days(2026, "Christmas Day")[0]
    by_day = {line[:10]: line for line in lines}
    assert "off" in by_day[christmas.isoformat()]
    assert "WORK" in by_day[joint.isoformat()]  # cuti bersama is a working day by default
    assert "override add: HUT Kabupaten Banggai" in by_day[LOCAL_HOLIDAY.isoformat()]


async def test_cuti_bersama_counts_as_holiday_when_the_setting_says_so(app: App):
    joint = package_days(2026, "Christmas Joint", category="government")[0]
    app.settings.gift.cuti_bersama_is_holiday = True
    assert not (await office_calendar(app)).is_working_day(joint)


def test_cli_adds_lists_and_rejects_a_malformed_date(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))
    assert main(["holidays", "add", "2026-07-08", "HUT Kabupaten"]) == 0
    assert main(["holidays", "list", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "2026-07-08 Wed off   override add: HUT Kabupaten" in out
    with pytest.raises(SystemExit) as exit_:
        main(["holidays", "add", "8/7/2026"])
    assert exit_.value.code == 2
    assert "not a date (YYYY-MM-DD)" in capsys.readouterr().err
