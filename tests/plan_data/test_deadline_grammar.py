"""Issue 14's deadline grammar: series, events, steps, more dates, deadlines in a task's body."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_data.deadlines import find_body_deadline, read_deadline
from plan_data.events import event_due
from plan_data.model import Milestone

Y = 2022


def deadline(month: int, day: int, action: str | None = None, year: int = Y) -> Milestone:
    return Milestone("deadline", action, None, date(year, month, day))


def period(first: tuple[int, int], last: tuple[int, int], action: str | None = None) -> Milestone:
    return Milestone("period", action, date(Y, *first), date(Y, *last))


def ongoing(action: str | None = None) -> Milestone:
    return Milestone("ongoing", action, date(Y, 1, 1), None)


def series(text: str) -> list[tuple[str | None, date | None, str | None, int | None]]:
    reading = read_deadline(text, Y)
    assert reading.problems == ()
    return [(m.action, m.end, m.series, m.interval_days) for m in reading.milestones]


def test_monthly_deadline_is_twelve_occurrences_each_named_for_its_month() -> None:
    found = series("每月28日前报送统计报表")
    assert found == [
        (f"{m}月报送统计报表", date(Y, m, 28), "每月28日前", 30) for m in range(1, 13)
    ]


def test_monthly_without_a_day_is_due_at_each_month_end() -> None:
    found = series("按月报送")
    assert [end for _, end, _, _ in found][:3] == [
        date(Y, 1, 31), date(Y, 2, 28), date(Y, 3, 31),
    ]
    assert found[0][0] == "1月报送"
    assert {s for _, _, s, _ in found} == {"按月"}


def test_quarter_ends() -> None:
    assert series("每季度末") == [
        ("第1季度", date(Y, 3, 31), "每季度末", 91),
        ("第2季度", date(Y, 6, 30), "每季度末", 91),
        ("第3季度", date(Y, 9, 30), "每季度末", 91),
        ("第4季度", date(Y, 12, 31), "每季度末", 91),
    ]


def test_half_years() -> None:
    assert series("每半年总结一次") == [
        ("上半年总结一次", date(Y, 6, 30), "每半年", 182),
        ("下半年总结一次", date(Y, 12, 31), "每半年", 182),
    ]


def test_every_friday_of_the_year() -> None:
    found = series("每周五前上报周报")
    assert len(found) == 52
    assert found[0] == ("第1周上报周报", date(Y, 1, 7), "每周五前", 7)
    assert found[-1][:2] == ("第52周上报周报", date(Y, 12, 30))
    assert all(end is not None and end.weekday() == 4 for _, end, _, _ in found)


def test_from_the_second_quarter_on_the_first_month_of_each_quarter() -> None:
    assert series("从第二季度起每季度第1个月20日前") == [
        ("第2季度", date(Y, 4, 20), "从第二季度起每季度第1个月20日前", 91),
        ("第3季度", date(Y, 7, 20), "从第二季度起每季度第1个月20日前", 91),
        ("第4季度", date(Y, 10, 20), "从第二季度起每季度第1个月20日前", 91),
    ]


def test_a_start_in_its_own_clause_applies_to_the_series_after_it() -> None:
    found = series("自4月份开始，每月10日前报送")
    assert [(action, end) for action, end, _, _ in found][:2] == [
        ("4月报送", date(Y, 4, 10)), ("5月报送", date(Y, 5, 10)),
    ]
    assert len(found) == 9


def test_days_after_each_quarter_ends_keep_the_fourth_quarter_in_january() -> None:
    assert [(a, e) for a, e, _, _ in series("每季度结束后10日内报送")] == [
        ("第1季度报送", date(Y, 4, 10)),
        ("第2季度报送", date(Y, 7, 10)),
        ("第3季度报送", date(Y, 10, 10)),
        ("第4季度报送", date(Y + 1, 1, 10)),
    ]


def test_a_series_action_written_in_the_next_clause() -> None:
    found = series("每月28日前，报送救助资金发放情况")
    assert found[2][:2] == ("3月报送救助资金发放情况", date(Y, 3, 28))


def test_quarter_steps_become_one_period_each_with_the_steps_action() -> None:
    reading = read_deadline(
        "①1-3月份，开展摸底调查，制定工作方案；②4-6月份，集中整治；③7-12月份，巩固提升", Y
    )
    assert reading.problems == ()
    assert reading.milestones == (
        period((1, 1), (3, 31), "开展摸底调查，制定工作方案"),
        period((4, 1), (6, 30), "集中整治"),
        period((7, 1), (12, 31), "巩固提升"),
    )


def test_numbered_stages_written_out() -> None:
    reading = read_deadline("第一阶段：3月底前完成摸底；第二阶段：6月底前完成整改", Y)
    assert reading.milestones == (deadline(3, 31, "完成摸底"), deadline(6, 30, "完成整改"))


@pytest.mark.parametrize(
    ("text", "event", "offset", "unit", "action"),
    [
        ("印发之日起20个工作日内", "印发", 20, "workdays", None),
        ("《实施方案》印发之日起20个工作日内完成备案", "《实施方案》印发", 20, "workdays",
         "完成备案"),
        ("批复后20日内", "批复", 20, "days", None),
        ("项目批复后一个月内开工", "项目批复", 1, "months", "开工"),
        ("协议签订后2周内拨付资金", "协议签订", 14, "days", "拨付资金"),
        ("待市级方案出台完成后开始实施", "市级方案出台完成", None, None, "开始实施"),
        ("待场地移交后开始", "场地移交", None, None, "开始"),
    ],
)
def test_a_deadline_that_waits_for_its_event(
    text: str, event: str, offset: int | None, unit: str | None, action: str | None
) -> None:
    reading = read_deadline(text, Y)
    assert reading.problems == ()
    assert reading.milestones == (
        Milestone("event", action, None, None, event=event, offset=offset, offset_unit=unit),
    )


def is_weekday(day: date) -> bool:
    return day.weekday() < 5


def test_event_due_counts_days_or_workdays_after_the_event_day() -> None:
    (workdays,) = read_deadline("印发之日起20个工作日内", Y).milestones
    (days,) = read_deadline("批复后20日内", Y).milestones
    (month,) = read_deadline("批复后一个月内", Y).milestones
    (start,) = read_deadline("待场地移交后开始", Y).milestones
    saturday = date(Y, 3, 5)
    assert event_due(days, saturday, is_weekday) == date(Y, 3, 25)
    assert event_due(workdays, saturday, is_weekday) == date(Y, 4, 1)  # 4 weeks of 5 days
    assert event_due(month, date(Y, 1, 31), is_weekday) == date(Y, 2, 28)
    assert event_due(start, saturday, is_weekday) == saturday


def test_event_due_follows_the_calendar_it_is_given() -> None:
    (milestone,) = read_deadline("印发之日起3个工作日内", Y).milestones
    holidays = {date(Y, 10, d) for d in range(1, 8)}
    assert event_due(milestone, date(Y, 9, 30), lambda d: is_weekday(d) and d not in holidays) \
        == date(Y, 10, 12)


def test_event_due_refuses_a_milestone_that_is_not_an_event() -> None:
    with pytest.raises(ValueError, match="not an event milestone"):
        event_due(deadline(3, 31), date(Y, 1, 1), is_weekday)


DATES: list[tuple[str, list[Milestone]]] = [
    ("3月上旬", [deadline(3, 10)]),
    ("3月中旬", [deadline(3, 20)]),
    ("3月下旬", [deadline(3, 31)]),
    ("5月上旬开工，中旬完成主体", [deadline(5, 10, "开工"), deadline(5, 20, "完成主体")]),
    ("9月上旬启动，月底前验收", [deadline(9, 10, "启动"), deadline(9, 30, "验收")]),
    ("6月中旬布置，25日前汇总", [deadline(6, 20, "布置"), deadline(6, 25, "汇总")]),
    ("第二季度", [period((4, 1), (6, 30))]),
    ("第4季度完成验收", [period((10, 1), (12, 31), "完成验收")]),
    ("3月份", [deadline(3, 31)]),
    ("11月份前完成", [deadline(11, 30)]),
    ("3月4日（星期五）前", [deadline(3, 4)]),
    ("3月4日(周五)前上报", [deadline(3, 4, "上报")]),
    ("2022年年底前", [deadline(12, 31)]),
    ("力争20*年11月末完成", [deadline(11, 30)]),
    ("20XX年6月底前", [deadline(6, 30)]),
    ("２０＊＊年１２月底", [deadline(12, 31)]),
    ("3月起实施", [period((3, 1), (12, 31), "实施")]),
    ("计划于9月底前完成", [deadline(9, 30)]),
    ("12月，召开全区民政工作会议", [deadline(12, 31, "召开全区民政工作会议")]),
    ("力争4月末完成图纸设计，5月上旬开工兴建，11月上旬完工交付使用",
     [deadline(4, 30, "完成图纸设计"), deadline(5, 10, "开工兴建"),
      deadline(11, 10, "完工交付使用")]),
    ("长年实施", [ongoing()]),
]


@pytest.mark.parametrize(("text", "expected"), DATES, ids=[t for t, _ in DATES])
def test_more_of_the_date_grammar(text: str, expected: list[Milestone]) -> None:
    reading = read_deadline(text, Y)
    assert (list(reading.milestones), reading.problems) == (expected, ())


@pytest.mark.parametrize(
    ("text", "end", "problem"),
    [
        ("到2025年底", date(2025, 12, 31),
         'deadline year 2025 is not the plan year 2022: "2025年底"'),
        ("2023年年底前", date(2023, 12, 31),
         'deadline year 2023 is not the plan year 2022: "2023年年底前"'),
        ("3月4日（星期四）前", date(Y, 3, 4),
         'deadline "3月4日(星期四)前": 2022-03-04 is a Friday, not a Thursday'),
    ],
)
def test_another_year_or_a_wrong_weekday_is_kept_and_flagged(
    text: str, end: date, problem: str
) -> None:
    reading = read_deadline(text, Y)
    assert [m.end for m in reading.milestones] == [end]
    assert reading.problems == (problem,)


def test_unreadable_phrases_are_each_said_once_and_the_fallback_once() -> None:
    assert read_deadline("看情况再说", Y).problems == (
        'unreadable deadline: "看情况再说"; due Dec 31 by default',
    )
    some = read_deadline("视情况而定，6月底前", Y)
    assert some.problems == ('unreadable deadline: "视情况而定"',)
    assert some.unread == ("视情况而定",)


def test_a_bare_part_of_a_month_without_a_month_before_is_not_guessed() -> None:
    reading = read_deadline("中旬完成", Y)
    assert reading.unread == ("中旬完成",)


BODIES: list[tuple[str, str | None]] = [
    ("建立健全安全生产责任追究制度。长年实施。", "长年实施"),
    ("建立健全安全生产责任追究制度．持续推进．", "持续推进"),
    ("建设区殡仪服务中心，力争4月末完成图纸设计，5月上旬开工兴建，11月上旬完工交付使用。",
     "力争4月末完成图纸设计，5月上旬开工兴建，11月上旬完工交付使用"),
    ("修订管理办法，力争20*年11月末完成。", "力争20*年11月末完成"),
    ("编制规划。①1-3月份，开展摸底调查；②4-12月份，组织实施。",
     "①1-3月份，开展摸底调查；②4-12月份，组织实施"),
    ("每月28日前报送低保资金发放情况。", "每月28日前报送低保资金发放情况"),
    ("修订实施细则，细则印发之日起20个工作日内完成培训。", "细则印发之日起20个工作日内完成培训"),
    # 持续推进 as a verb of prose, and facts that only mention a time, are not deadlines.
    ("持续推进困难老年人家庭居家适老化改造。", None),
    ("把学习作为首要政治任务，持续推进原原本本学、融会贯通学。", None),
    ("全年推动落实各项制度。", None),
    ("做好2022年社工站建设工作调研。", None),
    ("群众反映问题后3日内答复。", None),
]


@pytest.mark.parametrize(("body", "found"), BODIES, ids=[b for b, _ in BODIES])
def test_deadlines_written_in_a_task_body(body: str, found: str | None) -> None:
    assert find_body_deadline(body) == found


def test_what_the_body_reader_finds_reads_without_problems() -> None:
    for body, found in BODIES:
        if found is not None:
            assert read_deadline(found, Y).problems == (), body


def test_a_weekly_series_in_a_leap_year_still_falls_on_its_weekday() -> None:
    found = read_deadline("每周一前", 2024).milestones
    assert found[0].end == date(2024, 1, 1)
    assert all(
        b.end is not None and a.end is not None and b.end - a.end == timedelta(days=7)
        for a, b in pairwise(found)
    )


BODY_ALPHABET = st.sampled_from(
    list("0123456789１２一二三十月日号底末前上中下旬年半季度第全每按周五持续推进长年实施完成印发之起后内个工作待，。；①②*X(（星期）")
)


@settings(max_examples=300, deadline=None)
@given(st.text(BODY_ALPHABET, max_size=40) | st.text(max_size=40))
def test_whatever_the_body_reader_finds_reads_back_without_unread_phrases(body: str) -> None:
    found = find_body_deadline(body)
    if found is not None:
        assert read_deadline(found, Y).unread == ()
