"""A paused unit in the pure policy: nothing on paused days, held points on the first workday
after, overdue prompts (and so escalation) counted on the days not paused, due dates kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.policy import MilestoneWindow, Paused, PromptPoint, latest_point, prompt_points
from scheduler.settings import load_settings

SETTINGS = load_settings()
CALENDAR = SETTINGS.calendar()
FLOOR, YEAR_END = date(2022, 1, 4), date(2022, 12, 31)
DUE = date(2022, 6, 30)  # a Thursday: 2.3 社救科 完成协议签署
# Monday 27 June to Friday 8 July: D-3, D-1, D and the first overdue days fall inside.
PAUSE: Paused = ((date(2022, 6, 27), date(2022, 7, 8)),)
BACK = date(2022, 7, 11)  # the first workday after the pause


def _shown(points: list[PromptPoint]) -> list[tuple[date, str, int, bool]]:
    return [(p.day, p.kind, p.overdue_number, p.escalate) for p in points]


def test_a_pause_holds_prompts_and_overdue_counting_but_not_the_deadline() -> None:
    deadline = MilestoneWindow("deadline", None, DUE)
    plain = prompt_points(deadline, CALENDAR, SETTINGS, date(2022, 6, 20), date(2022, 7, 20))
    held = prompt_points(
        deadline, CALENDAR, SETTINGS, date(2022, 6, 20), date(2022, 7, 20), PAUSE
    )
    assert _shown(plain) == [
        (date(2022, 6, 23), "reminder", 0, False),
        (date(2022, 6, 27), "reminder", 0, False),
        (date(2022, 6, 29), "reminder", 0, False),
        (date(2022, 6, 30), "reminder", 0, False),
        (date(2022, 7, 1), "overdue", 1, False),
        (date(2022, 7, 6), "overdue", 2, True),
        (date(2022, 7, 11), "overdue", 3, True),
        (date(2022, 7, 14), "overdue", 4, True),
        (date(2022, 7, 19), "overdue", 5, True),
    ]
    # Nothing from 27 June to 8 July; on 11 July the first overdue prompt (still due 6月30日),
    # and leadership hears of it at the second, three workdays not paused later.
    assert _shown(held) == [
        (date(2022, 6, 23), "reminder", 0, False),
        (BACK, "overdue", 1, False),
        (date(2022, 7, 14), "overdue", 2, True),
        (date(2022, 7, 19), "overdue", 3, True),
    ]
    assert {p.due for p in held} == {DUE}


def test_a_check_in_in_a_pause_comes_on_the_first_workday_after_it() -> None:
    ongoing = MilestoneWindow("ongoing", date(2022, 1, 1), None)
    pause: Paused = ((date(2022, 6, 20), date(2022, 6, 30)),)
    points = prompt_points(ongoing, CALENDAR, SETTINGS, date(2022, 6, 1), date(2022, 7, 31), pause)
    assert [(p.day, p.kind) for p in points] == [
        (date(2022, 7, 1), "checkin"),  # 24 June's check-in, held
        (date(2022, 7, 25), "checkin"),
    ]


def test_nothing_is_due_on_a_paused_day() -> None:
    deadline = MilestoneWindow("deadline", None, DUE)
    day = PAUSE[0][0]
    while day <= PAUSE[0][1]:
        assert latest_point(deadline, CALENDAR, SETTINGS, day, FLOOR, PAUSE) is None, day
        day += timedelta(days=1)
    back = latest_point(deadline, CALENDAR, SETTINGS, BACK, FLOOR, PAUSE)
    assert back == PromptPoint(BACK, "overdue", DUE, 1, False)


@pytest.mark.parametrize(
    "window",
    [
        MilestoneWindow("deadline", None, DUE),
        MilestoneWindow("deadline", None, date(2022, 7, 5)),
        MilestoneWindow("deadline", None, date(2022, 3, 31)),
        MilestoneWindow("period", date(2022, 1, 1), date(2022, 6, 30)),
        MilestoneWindow("ongoing", date(2022, 1, 1), None),
    ],
)
@pytest.mark.parametrize(
    "pause",
    [
        PAUSE,
        ((date(2022, 6, 20), date(2022, 6, 24)), (date(2022, 6, 27), date(2022, 7, 1))),
        ((date(2022, 4, 1), date(2022, 4, 30)), (date(2022, 9, 1), date(2022, 10, 31))),
    ],
)
def test_latest_point_agrees_with_the_paused_schedule_every_day(
    window: MilestoneWindow, pause: Paused
) -> None:
    schedule = prompt_points(window, CALENDAR, SETTINGS, FLOOR, YEAR_END, pause)
    day = FLOOR
    while day <= YEAR_END:
        paused = any(start <= day <= end for start, end in pause)
        expected = [p for p in schedule if p.day <= day]
        want = None if paused or not expected else expected[-1]
        assert latest_point(window, CALENDAR, SETTINGS, day, FLOOR, pause) == want, day
        assert not any(p.day == day for p in schedule) or not paused, day
        day += timedelta(days=1)
