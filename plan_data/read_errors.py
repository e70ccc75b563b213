"""Errors of reading a plan file; each message is one English line for the CLI."""

from __future__ import annotations

from plan_data.errors import DubanError


class PlanFileError(DubanError):
    """A plan file that is missing, unreadable, empty or of an unknown kind."""


class PlanYearUnknown(DubanError):
    """A plan whose year the text does not say and nobody gave."""

    def __init__(self) -> None:
        super().__init__("cannot tell the plan year; pass --year")


PLAN_YEARS = range(1900, 2101)
"""The years a plan may be for; a year outside them is a typo."""


class PlanYearOutOfRange(DubanError):
    """A plan year someone gave that no work plan can be for."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"plan year must be between {PLAN_YEARS[0]} and {PLAN_YEARS[-1]}, not {year}"
        )
