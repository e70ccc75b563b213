"""Table tests for reading deadline texts (完成时限) into milestones, per DESIGN's table."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_data.chinese_dates import month_end
from plan_data.deadlines import (
    DEFAULT_PROBLEM,
    find_body_deadline,
    find_plan_year,
    read_deadline,
)
from plan_data.model import Milestone

Y = 2022
SEED = Path(__file__).parents[2] / "plan_data" / "dongli-2022-minzheng.txt"


def deadline(month: int, day: int, action: str | None = None, year: int = Y) -> Milestone:
    return Milestone("deadline", action, None, date(year, month, day))


def period(first: tuple[int, int], last: tuple[int, int], action: str | None = None) -> Milestone:
    return Milestone("period", action, date(Y, *first), date(Y, *last))


def ongoing(action: str | None = None) -> Milestone:
    return Milestone("ongoing", action, date(Y, 1, 1), None)


def monthly(month: int, day: int, action: str, series: str) -> Milestone:
    return Milestone("deadline", action, None, date(Y, month, day), series=series,
                     interval_days=30)


def quarterly(q: int, action: str, series: str) -> Milestone:
    end = date(Y, 3 * q, month_end(Y, 3 * q))
    return Milestone("deadline", action, None, end, series=series, interval_days=91)


FULL_YEAR = ((1, 1), (12, 31))

TABLE: list[tuple[str, list[Milestone]]] = [
    ("12月底", [deadline(12, 31)]),
    ("12月底前", [deadline(12, 31)]),
    ("年底前", [deadline(12, 31)]),
    ("年底", [deadline(12, 31)]),
    ("11月底", [deadline(11, 30)]),
    ("6月底前完成协议签署", [deadline(6, 30, "完成协议签署")]),
    ("1月印发文件", [deadline(1, 31, "印发文件")]),
    ("1月", [deadline(1, 31)]),
    ("2月", [deadline(2, 28)]),
    ("3月15日前", [deadline(3, 15)]),
    ("3月中旬", [deadline(3, 20)]),
    ("3月上旬", [deadline(3, 10)]),
    ("3月下旬", [deadline(3, 31)]),
    ("三月十五日前完成摸底", [deadline(3, 15, "完成摸底")]),
    ("上半年完成评估", [period((1, 1), (6, 30), "完成评估")]),
    ("下半年实施服务", [period((7, 1), (12, 31), "实施服务")]),
    ("上半年", [period((1, 1), (6, 30))]),
    ("第三季度", [period((7, 1), (9, 30))]),
    ("三季度", [period((7, 1), (9, 30))]),
    ("Q3", [period((7, 1), (9, 30))]),
    ("第一季度完成排查", [period((1, 1), (3, 31), "完成排查")]),
    ("全年推动落实", [period(*FULL_YEAR, "推动落实")]),
    ("全年持续开展业务指导和服务", [period(*FULL_YEAR, "持续开展业务指导和服务")]),
    ("持续推进", [ongoing()]),
    ("长期坚持", [ongoing()]),
    ("常态化", [ongoing()]),
    ("持续开展", [ongoing()]),
    ("长年实施", [ongoing()]),
    ("常态化开展安全检查", [ongoing("常态化开展安全检查")]),
    ("2023年3月底前", [deadline(3, 31, year=2023)]),
    ("2025年12月底", [deadline(12, 31, year=2025)]),
    ("2022年12月底", [deadline(12, 31)]),
    ("4月末", [deadline(4, 30)]),
    ("力争5月末完成", [deadline(5, 31)]),
    ("力争4月末完成图纸设计", [deadline(4, 30, "完成图纸设计")]),
    ("5月上旬开工兴建", [deadline(5, 10, "开工兴建")]),
    ("每月28日前", [monthly(m, 28, f"{m}月", "每月28日前") for m in range(1, 13)]),
    ("每月底报送数据",
     [monthly(m, month_end(Y, m), f"{m}月报送数据", "每月底") for m in range(1, 13)]),
    ("每季度末", [quarterly(q, f"第{q}季度", "每季度末") for q in range(1, 5)]),
    ("3月至6月", [period((3, 1), (6, 30))]),
    ("６月底前完成协议签署", [deadline(6, 30, "完成协议签署")]),
    (" 12月 底 ", [deadline(12, 31)]),
    ("12月底。", [deadline(12, 31)]),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t for t, _ in TABLE])
def test_every_design_row_reads_into_its_milestones(
    text: str, expected: list[Milestone]
) -> None:
    reading = read_deadline(text, Y)
    assert list(reading.milestones) == expected
    assert all(p.startswith("deadline year") for p in reading.problems)


SEED_TEXTS: list[tuple[str, list[Milestone]]] = [
    ("6月底前完成协议签署，下半年实施服务",
     [deadline(6, 30, "完成协议签署"), period((7, 1), (12, 31), "实施服务")]),
    ("10月底前完成业务培训，全年持续开展业务指导和服务",
     [deadline(10, 31, "完成业务培训"), period(*FULL_YEAR, "持续开展业务指导和服务")]),
    ("1月印发文件，全年推动落实", [deadline(1, 31, "印发文件"), period(*FULL_YEAR, "推动落实")]),
    ("力争4月末完成图纸设计；5月上旬开工兴建",
     [deadline(4, 30, "完成图纸设计"), deadline(5, 10, "开工兴建")]),
]


@pytest.mark.parametrize(("text", "expected"), SEED_TEXTS, ids=[t for t, _ in SEED_TEXTS])
def test_seed_deadlines_split_into_clauses(text: str, expected: list[Milestone]) -> None:
    reading = read_deadline(text, Y)
    assert (list(reading.milestones), reading.problems) == (expected, ())


def test_every_deadline_of_the_seed_plan_reads_without_problems() -> None:
    texts = re.findall(r"完成时限：(.*)", SEED.read_text(encoding="utf-8"))
    assert len(texts) == 29
    for text in texts:
        assert read_deadline(text, Y).problems == (), text


@pytest.mark.parametrize("text", ["2023年3月底前", "2025年12月底"])
def test_a_year_other_than_the_plan_year_is_flagged(text: str) -> None:
    (problem,) = read_deadline(text, Y).problems
    assert problem == f'deadline year {text[:4]} is not the plan year 2022: "{text}"'


@pytest.mark.parametrize("text", ["", "  ", "，"], ids=["empty", "spaces", "comma"])
def test_no_deadline_means_dec_31_with_a_warning(text: str) -> None:
    reading = read_deadline(text, Y)
    assert (reading.milestones, reading.problems) == ((deadline(12, 31),), (DEFAULT_PROBLEM,))


def test_an_unreadable_clause_is_kept_verbatim_and_makes_no_milestone() -> None:
    reading = read_deadline("视情况而定，12月底", Y)
    assert reading.milestones == (deadline(12, 31),)
    assert reading.problems == ('unreadable deadline: "视情况而定"',)


def test_nothing_readable_falls_back_to_dec_31_saying_each_phrase_once() -> None:
    reading = read_deadline("视情况而定；2月30日", Y)
    assert reading.milestones == (deadline(12, 31),)
    assert reading.problems == (
        'unreadable deadline: "视情况而定", "2月30日"; due Dec 31 by default',
    )


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("新建养老院一所。11月末完成。", "11月末完成"),
        ("建设殡仪馆。力争4月末完成图纸设计，5月上旬开工兴建。",
         "力争4月末完成图纸设计，5月上旬开工兴建"),
        ("开展培训。６月底前完成。", "６月底前完成"),
        ("5.持续推进反垄断工作。加强监管。", None),
        ("把学习作为首要政治任务，持续推进原原本本学、及时跟进学。", None),
        ("全年推动落实各项制度。", None),
        # A month opening a sentence dates the clause after it; the rest is prose.
        ("12月，召开全区民政工作会议，总结全年工作并部署下一年度重点任务。",
         "12月，召开全区民政工作会议"),
        ("", None),
    ],
    ids=["month-end", "two-clauses", "full-width", "numbered-title", "prose-ongoing",
         "prose-full-year", "month-then-action", "empty"],
)
def test_find_body_deadline_takes_only_clauses_opening_with_a_date(
    body: str, sentence: str | None
) -> None:
    assert find_body_deadline(body) == sentence


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2022年是我国踏上全面建设社会主义现代化国家新征程的重要一年。", 2022),
        ("东丽区民政局2023年工作要点\n一、总体要求", 2023),
        ("关于印发《2021年度工作计划》的通知\n各科室：", 2021),
        ("各科室：\n现将２０２４年工作安排印发给你们", 2024),
        ("东丽区民政局二〇二二年工作要点", 2022),
        ("一、总体要求\n（一）加强学习。", None),
    ],
    ids=["year-is", "work-points", "annual", "full-width", "chinese-numerals", "none"],
)
def test_find_plan_year_reads_the_title_or_preamble(text: str, year: int | None) -> None:
    assert find_plan_year(text) == year


def test_find_plan_year_reads_the_seed() -> None:
    assert find_plan_year(SEED.read_text(encoding="utf-8")) == 2022


DEADLINE_ALPHABET = st.sampled_from(
    list("0123456789０１２一二三十两月日号底末前上中下旬年半季度第全每持续推进完成，；, Q")
)


@settings(max_examples=300, deadline=None)
@given(st.text(DEADLINE_ALPHABET, max_size=30) | st.text(max_size=30))
def test_read_deadline_never_crashes_and_never_drops_a_clause(text: str) -> None:
    reading = read_deadline(text, Y)
    assert reading.milestones
    for phrase in reading.unread:
        assert phrase in text
    assert any(p.startswith("unreadable") for p in reading.problems) == bool(reading.unread)
    if not reading.problems:
        assert all(m.end is not None or m.kind == "ongoing" for m in reading.milestones)
