"""The State Council's holiday notice, read into days off and 调休 workdays (issue 14)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from cli.main import main
from scheduler.holiday_notice import HolidayNoticeError, notice_year, parse_notice
from scheduler.workdays import WorkCalendar

NOTICES = Path(__file__).parent / "notices"


def notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2022, 2023, 2025])
def test_a_notice_gives_the_official_calendar_of_its_year(year: int) -> None:
    days_off, workdays = parse_notice(notice(year))
    # What a holiday file must say: holidays on weekdays, and weekend days that are worked.
    days = days_of(year)
    weekday_holidays = {d for d in days if d.weekday() < 5 and chinese_calendar.is_holiday(d)}
    weekend_workdays = {d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    assert {d for d in days_off if d.year == year and d.weekday() < 5} == weekday_holidays
    assert set(workdays) == weekend_workdays
    assert all(chinese_calendar.is_holiday(d) for d in days_off)


def test_the_2023_new_year_holiday_starts_in_2022() -> None:
    days_off, _ = parse_notice(notice(2023))
    assert days_off[:3] == (date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2))


def test_the_year_comes_from_the_notice_title() -> None:
    assert [notice_year(notice(y)) for y in (2022, 2023, 2025)] == [2022, 2023, 2025]
    assert notice_year("一、元旦：1月1日放假，共1天。") is None


def test_one_item_without_a_title_needs_the_year() -> None:
    text = "一、元旦：1月1日（周五）至3日（周日）放假，共3天。"
    new_year = (date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3))
    assert parse_notice(text, 2027) == (new_year, ())
    with pytest.raises(HolidayNoticeError, match="cannot tell the notice year; pass --year"):
        parse_notice(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("关于2027年部分节假日安排的通知\n各单位放假安排另行通知。", "no holiday items found"),
        ("一、春节：2月30日放假，共1天。", "春节: 2月30日 is not a date in 2027"),
        ("一、元旦：1月1日至3日放假，共2天。",
         "元旦: 2027-01-01 to 2027-01-03 is 3 days, but the notice says 2"),
        ("一、春节：2月6日至12日放假，共7天。2月4日上班。",
         "春节: 2027-02-04 (上班) is a Thursday, not a weekend day; is the year 2027 right?"),
        ("一、元旦：1月1日（星期六）放假，共1天。",
         "元旦: 2027-01-01 is a Friday, but the notice says 星期六; is the year 2027 right?"),
        ("一、元旦：另行通知。", "元旦: no days off (放假) in: 另行通知"),
    ],
    ids=["no-items", "no-such-day", "wrong-total", "weekday-makeup", "wrong-weekday",
         "no-days-off"],
)
def test_a_notice_that_does_not_fit_its_year_is_refused_with_one_line(
    text: str, message: str
) -> None:
    with pytest.raises(HolidayNoticeError) as caught:
        parse_notice(text, 2027)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_last_years_notice_given_as_another_year_is_refused() -> None:
    with pytest.raises(HolidayNoticeError, match="is a Thursday, but the notice says 星期六"):
        parse_notice(notice(2023), 2027)


# Not the real 2027 notice (not yet published when this was written): a made-up one in the
# same wording, for a year chinese-calendar does not know.
NOTICE_2027 = (
    "国务院办公厅关于2027年部分节假日安排的通知\n"
    "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
    "二、春节：2月5日（周五）至11日（周四）放假调休，共7天。2月13日（周六）上班。\n"
)


def test_import_writes_a_holiday_file_the_calendar_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notice.txt").write_text(NOTICE_2027, encoding="gb18030")
    assert main(["calendar", "import", "notice.txt"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "wrote 2027: 10 days off and 1 workdays to holiday.toml"
    calendar = WorkCalendar.from_file(tmp_path / "holiday.toml")
    assert not calendar.is_workday(date(2027, 2, 8))  # a Monday of the Spring Festival
    assert calendar.is_workday(date(2027, 2, 13))  # the Saturday worked instead
    assert calendar.is_workday(date(2027, 2, 12))  # the Friday after the holiday
    assert calendar.warnings_for_year(2027) == [
        "the official calendar for 2027 is not known to chinese-calendar; using "
        "Monday-Friday with the holidays of " + str(tmp_path / "holiday.toml")
    ]


def test_import_merges_keeping_the_days_outside_the_notices_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text(
        "days_off = [2027-01-04, 2027-12-31, 2026-10-01]\nworkdays = [2027-02-06]\n",
        encoding="utf-8",
    )
    notice_file = tmp_path / "notice.txt"
    notice_file.write_text(NOTICE_2027, encoding="utf-8")
    assert main(["calendar", "import", str(notice_file), "--out", str(holidays)]) == 0
    capsys.readouterr()
    calendar = WorkCalendar.from_file(holidays)
    # Inside the notice's span (1月1日 to 2月13日) the notice is the truth; outside it, kept.
    assert calendar.is_workday(date(2027, 1, 4))
    assert not calendar.is_workday(date(2027, 2, 6))  # a Saturday the old file said was worked
    assert {date(2027, 12, 31), date(2026, 10, 1)} <= calendar.days_off


@pytest.mark.parametrize(
    ("content", "existing", "message"),
    [
        (NOTICE_2027.replace("（周五）至3日", "（周六）至3日"), None,
         "error: 元旦: 2027-01-01 is a Friday, but the notice says 周六; is the year 2027 right?"),
        ("一、元旦：1月1日放假。", None, "error: cannot tell the notice year; pass --year"),
        (NOTICE_2027, "timezone = 'Asia/Shanghai'\n",
         "error: holiday file {out} has other keys (timezone); not rewriting it"),
        (NOTICE_2027, "days_off = [1, 2]\n", "error: holiday file {out}: days_off must be a list"),
    ],
    ids=["wrong-weekday", "no-year", "settings-file", "not-dates"],
)
def test_bad_input_is_one_line_exit_1_and_nothing_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    existing: str | None,
    message: str,
) -> None:
    notice_file = tmp_path / "notice.txt"
    notice_file.write_text(content, encoding="utf-8")
    out = tmp_path / "holiday.toml"
    if existing is not None:
        out.write_text(existing, encoding="utf-8")
    assert main(["calendar", "import", str(notice_file), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message.format(out=out))
    assert captured.err.count("\n") == 1
    assert (out.read_text(encoding="utf-8") if out.exists() else None) == existing
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notice.txt", *(["holiday.toml"] if existing is not None else [])]
    )


def test_a_missing_notice_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"
    assert main(["calendar", "import", str(missing)]) == 1
    assert capsys.readouterr().err == f"error: notice file not found: {missing}\n"
