"""序时进度 as a table (issue 14), no database: the span, the elapsed share, behind or not."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.settings import load_settings
from storage.milestones import MilestoneState, MilestoneStatus
from storage.pace import elapsed_share, pace_of, pace_span
from storage.records import TargetProgress
from storage.status import light_of

Y0 = date(2022, 1, 1)
JULY_4 = date(2022, 7, 4)
MARCH_4, APRIL_1, JULY_1, SEPT_30 = (date(2022, 3, 4), date(2022, 4, 1), date(2022, 7, 1),
                                     date(2022, 9, 30))  # fmt: skip
WORKDAYS = load_settings().calendar().workdays_in


def m(
    kind: str,
    start: date | None,
    end: date | None,
    state: MilestoneState = "open",
) -> MilestoneStatus:
    return MilestoneStatus(1, "3.2", "养老", 1, "社会事务科", 1, kind, None, start, end, state)


def reading(share: float, target: float | None = 150) -> TargetProgress:
    return TargetProgress(1 if target else None, "养老床位", "张", target, share * 150, share)


YEAR_END = m("deadline", None, date(2022, 12, 31))


@pytest.mark.parametrize(
    ("milestones", "span"),
    [
        ([YEAR_END], (Y0, date(2022, 12, 31))),
        # Targets are the whole task's: measured to its last open deadline.
        ([m("deadline", None, date(2022, 6, 30)), YEAR_END], (Y0, date(2022, 12, 31))),
        ([m("deadline", None, date(2022, 6, 30)), m("deadline", None, date(2022, 12, 31),
          "signed")], (Y0, date(2022, 6, 30))),
        # A deadline that waited for its event: from the event day.
        ([m("deadline", MARCH_4, APRIL_1)], (MARCH_4, APRIL_1)),
        ([m("period", JULY_1, SEPT_30)], (JULY_1, SEPT_30)),
        ([m("ongoing", Y0, None)], None),
        ([m("event", None, None)], None),  # still waiting for its event
        ([m("deadline", None, date(2022, 12, 31), "awaiting")], None),
    ],
)
def test_the_span_pace_is_measured_over(
    milestones: list[MilestoneStatus], span: tuple[date, date] | None
) -> None:
    assert pace_span(milestones, Y0) == span


def test_elapsed_share_counts_official_workdays_or_days_today_included() -> None:
    assert elapsed_share(Y0, date(2022, 12, 31), JULY_4, WORKDAYS) == 124 / 249
    assert elapsed_share(Y0, date(2022, 12, 31), JULY_4) == 185 / 365
    assert elapsed_share(date(2022, 8, 1), date(2022, 12, 31), JULY_4, WORKDAYS) == 0
    assert elapsed_share(Y0, date(2022, 6, 30), JULY_4, WORKDAYS) == 1


@pytest.mark.parametrize(
    ("shares", "behind"),
    [
        ([0.6], False),  # ahead of 49.8%
        ([0.4], False),  # 9.8 points behind: inside the 15-point margin
        ([0.34], True),  # 15.8 points behind
        ([0.9, 0.2], True),  # the lowest target counts
        ([1.5], False),  # more than the target is the whole, no more
    ],
)
def test_behind_when_the_lowest_share_trails_by_more_than_the_margin(
    shares: list[float], behind: bool
) -> None:
    pace = pace_of([YEAR_END], [reading(s) for s in shares], JULY_4, Y0, workdays_between=WORKDAYS)
    assert pace is not None
    assert (pace.expected, pace.behind) == (124 / 249, behind)
    assert pace.reported == min(min(shares), 1.0)


def test_no_reading_no_pace_and_a_margin_of_its_own() -> None:
    assert pace_of([YEAR_END], [], JULY_4, Y0) is None
    pace = pace_of([YEAR_END], [reading(0.4)], JULY_4, Y0, margin=5, workdays_between=WORKDAYS)
    assert pace is not None
    assert pace.behind


def test_behind_pace_is_yellow_after_every_other_reason() -> None:
    assert light_of([YEAR_END], "in_progress", None, JULY_4, behind_pace=True)[:2] == (
        "yellow",
        light_of([YEAR_END], None, None, JULY_4, behind_pace=True)[1],
    )
    soon = m("deadline", None, date(2022, 7, 8))
    light, reason, _ = light_of([soon], None, None, JULY_4, behind_pace=True)
    assert (light, reason and reason.kind) == ("yellow", "due_soon")
    late = m("deadline", None, date(2022, 7, 1))
    assert light_of([late], None, None, JULY_4, behind_pace=True)[0] == "red"
