"""The light rule as a table (DESIGN "Progress", issue 11), no database."""

from __future__ import annotations

from datetime import date

import pytest

from storage.milestones import MilestoneState, MilestoneStatus
from storage.records import Light, Reason
from storage.status import light_of

TODAY = date(2022, 6, 23)


def m(kind: str, end: date | None, state: MilestoneState = "open") -> MilestoneStatus:
    return MilestoneStatus(1, "2.3", "创新", 1, "社救科", 1, kind, None, None, end, state)


JUNE_30 = m("deadline", date(2022, 6, 30))
JULY_1 = m("deadline", date(2022, 7, 1))
PASSED = m("deadline", date(2022, 1, 31))
YEAR_END = m("deadline", date(2022, 12, 31))
ONGOING = m("ongoing", None)


@pytest.mark.parametrize(
    ("milestones", "latest", "light", "reason"),
    [
        ([PASSED, YEAR_END], None, "red", Reason("overdue", date(2022, 1, 31))),
        ([JUNE_30], None, "yellow", Reason("due_soon", date(2022, 6, 30))),
        ([JUNE_30], "in_progress", "yellow", Reason("due_soon", date(2022, 6, 30))),
        ([JULY_1], None, "green", None),  # 8 days away: outside the 7-day window
        ([m("deadline", TODAY)], None, "yellow", Reason("due_soon", TODAY)),  # due today
        ([YEAR_END], None, "green", None),  # nothing reported yet is no warning by itself
        ([YEAR_END], "blocked", "yellow", Reason("blocked", note="经费")),
        ([PASSED], "blocked", "red", Reason("overdue", date(2022, 1, 31))),  # red wins
        ([ONGOING], None, "green", None),  # 持续推进 work with no report is on track
        ([m("deadline", date(2022, 1, 31), "awaiting")], None, "green", Reason("awaiting")),
        ([m("deadline", date(2022, 1, 31), "signed")], None, "done", None),
        ([m("deadline", date(2022, 1, 31), "signed"), YEAR_END], None, "green", None),
        ([m("ongoing", None, "signed")], None, "done", None),
        ([m("deadline", date(2022, 6, 30), "signed"), ONGOING], None, "done", None),
    ],
)
def test_light_rule(
    milestones: list[MilestoneStatus], latest: str | None, light: Light, reason: Reason | None
) -> None:
    note = "经费" if latest == "blocked" else None
    found_light, found_reason, _ = light_of(milestones, latest, note, TODAY)
    assert (found_light, found_reason) == (light, reason)


def test_awaiting_sign_off_is_reported_beside_any_light() -> None:
    rows = [m("deadline", date(2022, 1, 31), "awaiting"), PASSED]
    assert light_of(rows, None, None, TODAY)[2] == "awaiting"
    assert light_of([YEAR_END], None, None, TODAY)[2] is None
