"""Table tests for reading dates people type, including every case dateparser misreads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_data.dates import (
    DateNotInFuture,
    DateNotUnderstood,
    DateTooFar,
    find_date_in_text,
    read_date,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2022, 6, 23, 10, 0, tzinfo=SHANGHAI)
YEAR_END = datetime(2022, 12, 28, 10, 0, tzinfo=SHANGHAI)  # a Wednesday

ON_THURSDAY: list[tuple[str, date]] = [
    # The cases DESIGN saw dateparser misread on its own.
    ("6月底", date(2022, 6, 30)),
    ("下周五", date(2022, 7, 1)),
    ("月底", date(2022, 6, 30)),
    ("10月30日", date(2022, 10, 30)),
    ("10月30日前", date(2022, 10, 30)),
    ("预计下周五完成", date(2022, 7, 1)),
    # DESIGN's and the examples.
    ("7月15日", date(2022, 7, 15)),
    ("7月15号", date(2022, 7, 15)),
    ("本周五", date(2022, 6, 24)),
    ("这周五", date(2022, 6, 24)),
    ("周五", date(2022, 6, 24)),
    ("周四", date(2022, 6, 23)),
    ("星期一", date(2022, 6, 27)),
    ("下周一", date(2022, 6, 27)),
    ("下下周一", date(2022, 7, 4)),
    ("礼拜天", date(2022, 6, 26)),
    ("十月底", date(2022, 10, 31)),
    ("年底前", date(2022, 12, 31)),
    ("今天", date(2022, 6, 23)),
    ("明天", date(2022, 6, 24)),
    ("后天", date(2022, 6, 25)),
    ("3天后", date(2022, 6, 26)),
    ("三天后", date(2022, 6, 26)),
    ("两周后", date(2022, 7, 7)),
    ("一个月后", date(2022, 7, 23)),
    ("下个月10号", date(2022, 7, 10)),
    ("下月底", date(2022, 7, 31)),
    ("本月28日", date(2022, 6, 28)),
    ("15号", date(2022, 7, 15)),
    ("30号", date(2022, 6, 30)),
    ("7月中旬", date(2022, 7, 20)),
    ("2022-07-15", date(2022, 7, 15)),
    ("2022/7/15", date(2022, 7, 15)),
    ("2022年7月15日", date(2022, 7, 15)),
    ("7/15", date(2022, 7, 15)),
    ("7.15", date(2022, 7, 15)),
    ("7月15", date(2022, 7, 15)),
    ("七月十五", date(2022, 7, 15)),
    ("３月１日", date(2023, 3, 1)),
    ("7月 15 日", date(2022, 7, 15)),
    ("明年3月底", date(2023, 3, 31)),
    ("明年7月1日前", date(2023, 7, 1)),
    ("明年底", date(2023, 12, 31)),
    ("明年年底", date(2023, 12, 31)),
    ("后年6月", date(2024, 6, 30)),
    ("7月15日，街道调整导致协议需重新审核", date(2022, 7, 15)),
    ("3月1日", date(2023, 3, 1)),
    ("next friday", date(2022, 6, 24)),
    ("July 15", date(2022, 7, 15)),
    ("tomorrow", date(2022, 6, 24)),
    ("2022-07-15T09:00", date(2022, 7, 15)),
]


@pytest.mark.parametrize(("text", "expected"), ON_THURSDAY, ids=[t for t, _ in ON_THURSDAY])
def test_read_date_on_a_thursday_in_june(text: str, expected: date) -> None:
    assert read_date(text, THURSDAY) == expected


AT_YEAR_END: list[tuple[str, date]] = [
    ("3月1日", date(2023, 3, 1)),
    ("十月底", date(2023, 10, 31)),
    ("月底", date(2022, 12, 31)),
    ("年底", date(2022, 12, 31)),
    ("下个月10号", date(2023, 1, 10)),
    ("下月底", date(2023, 1, 31)),
    ("下周五", date(2023, 1, 6)),
    ("两周后", date(2023, 1, 11)),
    ("15号", date(2023, 1, 15)),
    ("1/5", date(2023, 1, 5)),
    ("next friday", date(2022, 12, 30)),
]


@pytest.mark.parametrize(("text", "expected"), AT_YEAR_END, ids=[t for t, _ in AT_YEAR_END])
def test_read_date_rolls_over_the_year_end(text: str, expected: date) -> None:
    assert read_date(text, YEAR_END) == expected


def test_now_is_read_in_the_time_zone_it_carries() -> None:
    # 2022-06-23 20:00 UTC is already Friday 04:00 in Shanghai: the office's "tomorrow" is
    # Saturday, so callers pass now in the office's time zone (DUBAN_TZ).
    late_utc = datetime(2022, 6, 23, 20, 0, tzinfo=UTC)
    assert read_date("明天", late_utc.astimezone(SHANGHAI)) == date(2022, 6, 25)
    assert read_date("明天", late_utc) == date(2022, 6, 24)


@pytest.mark.parametrize(
    "text", ["昨天", "2022-06-01", "2021年7月15日", "本周一"],
)
def test_a_past_date_is_refused(text: str) -> None:
    with pytest.raises(DateNotInFuture) as caught:
        read_date(text, THURSDAY)
    assert caught.value.value < THURSDAY.date()


@pytest.mark.parametrize("text", ["2030-01-01", "2026年7月1日", "100个月后"])
def test_an_absurdly_far_date_is_refused(text: str) -> None:
    with pytest.raises(DateTooFar):
        read_date(text, THURSDAY)


@pytest.mark.parametrize(
    "text", ["", "尽快", "等领导定", "hello there", "13月5日", "下周", "12", "0715", "2022"],
)
def test_no_date_is_not_understood(text: str) -> None:
    with pytest.raises(DateNotUnderstood) as caught:
        read_date(text, THURSDAY)
    assert caught.value.text == text
    assert "cannot read a date" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7月15日，街道调整导致协议需重新审核", (date(2022, 7, 15), "街道调整导致协议需重新审核")),
        ("预计下周五完成", (date(2022, 7, 1), "预计完成")),
        ("因疫情推迟，改到8月10日前", (date(2022, 8, 10), "因疫情推迟，改到")),
        ("8月底前：资金未到位", (date(2022, 8, 31), "资金未到位")),
        ("资金未到位", None),
    ],
    ids=["date-then-reason", "date-inside", "reason-then-date", "colon", "no-date"],
)
def test_find_date_in_text_returns_the_date_and_the_reason(
    text: str, expected: tuple[date, str] | None
) -> None:
    assert find_date_in_text(text, THURSDAY) == expected


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        read_date("明天", datetime(2022, 6, 23))  # noqa: DTZ001


DATE_ALPHABET = st.sampled_from(
    list("0123456789一二三十两月日号底末前上中下本这个周星期天后明年/-，. fridaynext")
)


@settings(max_examples=150, deadline=None)
@given(st.text(DATE_ALPHABET, max_size=16) | st.text(max_size=16))
def test_read_date_gives_a_date_or_a_domain_error(text: str) -> None:
    try:
        value = read_date(text, THURSDAY)
    except (DateNotUnderstood, DateNotInFuture, DateTooFar):
        return
    assert THURSDAY.date() <= value <= date(2025, 6, 23)
