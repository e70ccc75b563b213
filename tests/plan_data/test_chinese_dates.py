"""Table tests for the shared Chinese date grammar."""

from __future__ import annotations

from datetime import date

import pytest

from plan_data.chinese_dates import cn_int, first_time, match_time, month_end, normalize


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1), ("12", 12), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20),
        ("二十八", 28), ("三十一", 31), ("〇", 0), ("", None), ("十十", None), ("一二", None),
        ("二十八十", None), ("周", None),
    ],
    ids=lambda v: str(v),
)
def test_cn_int_reads_small_numbers(text: str, value: int | None) -> None:
    assert cn_int(text) == value


def test_normalize_makes_full_width_half_width_and_drops_spaces() -> None:
    assert normalize(" １２ 月底\u3000前 ") == "12月底前"


def test_month_end_knows_leap_years() -> None:
    assert [month_end(2022, 2), month_end(2024, 2), month_end(2022, 12)] == [28, 29, 31]


@pytest.mark.parametrize(
    ("text", "start", "end", "consumed"),
    [
        ("12月底前", None, date(2022, 12, 31), "12月底"),
        ("十二月底", None, date(2022, 12, 31), "十二月底"),
        ("1月印发文件", None, date(2022, 1, 31), "1月"),
        ("3月15日前", None, date(2022, 3, 15), "3月15日"),
        ("三月十五号", None, date(2022, 3, 15), "三月十五号"),
        ("3月上旬", None, date(2022, 3, 10), "3月上旬"),
        ("3月中旬", None, date(2022, 3, 20), "3月中旬"),
        ("3月下旬", None, date(2022, 3, 31), "3月下旬"),
        ("2月末", None, date(2022, 2, 28), "2月末"),
        ("年底", None, date(2022, 12, 31), "年底"),
        ("2023年底", None, date(2023, 12, 31), "2023年底"),
        ("2023年3月底前", None, date(2023, 3, 31), "2023年3月底"),
        ("上半年", date(2022, 1, 1), date(2022, 6, 30), "上半年"),
        ("下半年实施服务", date(2022, 7, 1), date(2022, 12, 31), "下半年"),
        ("第三季度", date(2022, 7, 1), date(2022, 9, 30), "第三季度"),
        ("二季度", date(2022, 4, 1), date(2022, 6, 30), "二季度"),
        ("Q4", date(2022, 10, 1), date(2022, 12, 31), "Q4"),
        ("三季度末", None, date(2022, 9, 30), "三季度末"),
        ("全年", date(2022, 1, 1), date(2022, 12, 31), "全年"),
        ("3月至6月", date(2022, 3, 1), date(2022, 6, 30), "3月至6月"),
        ("2022-07-15", None, date(2022, 7, 15), "2022-07-15"),
        ("7/15", None, date(2022, 7, 15), "7/15"),
    ],
    ids=lambda v: str(v),
)
def test_match_time_reads_the_expression_opening_the_text(
    text: str, start: date | None, end: date, consumed: str
) -> None:
    found = match_time(text)
    assert found is not None
    assert (found.expr.start(2022), found.expr.end(2022)) == (start, end)
    assert text[: found.end] == consumed


@pytest.mark.parametrize(
    "text", ["持续推进", "完成协议签署", "13月", "3月32日", "三年内", "5.持续推进", ""],
)
def test_match_time_refuses_what_is_not_a_date(text: str) -> None:
    assert match_time(text) is None


def test_first_time_finds_the_earliest_expression_in_a_sentence() -> None:
    found = first_time("预计十月底完成，12月验收")
    assert found is not None
    assert (found.start, found.expr.end(2022)) == (2, date(2022, 10, 31))
