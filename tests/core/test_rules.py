"""The actions' rules as pure functions: the same answer whichever door asks."""

from __future__ import annotations

from datetime import date

import pytest

from core import errors, rules
from core.rules import MilestoneFacts

SIGN = MilestoneFacts(11, "deadline", "完成协议签署", date(2022, 6, 30), done=False)
SERVE = MilestoneFacts(12, "period", "实施服务", date(2022, 12, 31), done=False)
YEAR_END = MilestoneFacts(13, "deadline", None, date(2022, 12, 31), done=False)
ONGOING = MilestoneFacts(14, "ongoing", None, None, done=False)


@pytest.mark.parametrize(
    ("text", "note", "percent"),
    [
        ("60% 已签约3家", "已签约3家", 60),
        ("已签约3家，完成80％", "已签约3家，完成", 80),
        ("已签约3家", "已签约3家", None),
        ("150% 超额", "150% 超额", None),
        ("100%", None, 100),
    ],
)
def test_a_percent_may_lead_the_note(text: str, note: str | None, percent: int | None) -> None:
    assert rules.split_percent(text) == (note, percent)


def test_the_nearest_open_deadline_is_extended_unless_one_is_named() -> None:
    assert rules.milestone_to_extend("2.3", [SERVE, YEAR_END, SIGN], None) == (
        SIGN,
        date(2022, 6, 30),
    )
    assert rules.milestone_to_extend("2.3", [SIGN, YEAR_END], 13) == (YEAR_END, date(2022, 12, 31))


@pytest.mark.parametrize(
    ("milestones", "named", "why"),
    [
        ([ONGOING], None, "ongoing"),
        ([SERVE], None, "period"),
        ([MilestoneFacts(11, "deadline", None, date(2022, 6, 30), done=True)], None, "done"),
        ([SIGN, SERVE], 12, "not_deadline"),
    ],
)
def test_only_an_open_deadline_can_be_extended(
    milestones: list[MilestoneFacts], named: int | None, why: str
) -> None:
    with pytest.raises(errors.NotExtendable) as refused:
        rules.milestone_to_extend("1.1", milestones, named)
    assert refused.value.why == why


def test_a_milestone_of_another_task_is_unknown() -> None:
    with pytest.raises(errors.UnknownMilestone):
        rules.milestone_to_extend("2.3", [SIGN], 99)


@pytest.mark.parametrize(
    ("new", "current", "error"),
    [
        (date(2022, 7, 15), date(2022, 6, 30), None),
        (date(2022, 6, 30), date(2022, 6, 30), errors.NotLater),
        (date(2022, 7, 1), date(2022, 12, 31), errors.NotLater),
        (date(2023, 12, 31), date(2022, 12, 31), None),
        (date(2024, 1, 1), date(2022, 12, 31), errors.BeyondPlanWindow),
    ],
)
def test_a_new_date_is_later_and_within_the_year_after_the_plan(
    new: date, current: date, error: type[Exception] | None
) -> None:
    if error is None:
        rules.check_new_due(new, current, 2022)
    else:
        with pytest.raises(error):
            rules.check_new_due(new, current, 2022)


def test_blocked_needs_a_note_and_an_extension_is_a_request() -> None:
    rules.check_report("in_progress", None)
    with pytest.raises(errors.NeedsNote):
        rules.check_report("blocked", "  ")
    with pytest.raises(errors.UseExtensionRequest):
        rules.check_report("extension", "下月")
