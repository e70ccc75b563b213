"""Errors of reading a plan file; each message is one English line for the CLI."""

from __future__ import annotations

from plan_data.errors import DubanError


class PlanFileError(DubanError):
    """A plan file that is missing, unreadable, empty or of an unknown kind."""


class PlanYearUnknown(DubanError):
    """A plan whose year the text does not say and nobody gave."""

    def __init__(self) -> None:
        super().__init__("cannot tell the plan year; pass --year")
