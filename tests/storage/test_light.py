"""The light rule as a table (DESIGN "Progress"), no database."""

from __future__ import annotations

from datetime import date

import pytest

from storage.status import compute_light

TODAY = date(2022, 6, 20)
RECENT = date(2022, 6, 10)
JUNE_30 = date(2022, 6, 30)
DEC_31 = date(2022, 12, 31)


@pytest.mark.parametrize(
    ("deadlines", "open_dues", "latest", "quiet_since", "light"),
    [
        (1, [], "done", RECENT, "done"),
        (2, [], "in_progress", RECENT, "done"),  # every deadline milestone done
        (0, [], "done", RECENT, "done"),  # ongoing work reported done
        (0, [], "in_progress", RECENT, "green"),
        (1, [date(2022, 6, 19)], "in_progress", RECENT, "red"),
        (2, [date(2022, 6, 19), DEC_31], "blocked", RECENT, "red"),
        (1, [TODAY], "in_progress", RECENT, "yellow"),  # due today is not yet overdue
        (1, [date(2022, 6, 27)], "in_progress", RECENT, "yellow"),  # within 7 days
        (1, [date(2022, 6, 28)], "in_progress", RECENT, "green"),
        (1, [DEC_31], "blocked", RECENT, "yellow"),
        (1, [DEC_31], "in_progress", date(2022, 5, 21), "yellow"),  # silent 30 days
        (1, [DEC_31], "in_progress", date(2022, 5, 22), "green"),
        (1, [DEC_31], None, date(2022, 1, 1), "yellow"),  # never reported
        (0, [], None, date(2022, 6, 1), "green"),
        (1, [JUNE_30], "done", RECENT, "green"),  # done for another milestone only
    ],
)
def test_light_rule(
    deadlines: int, open_dues: list[date], latest: str | None, quiet_since: date, light: str
) -> None:
    found = compute_light(
        deadlines=deadlines,
        open_dues=open_dues,
        latest_status=latest,
        quiet_since=quiet_since,
        today=TODAY,
    )
    assert found == light
