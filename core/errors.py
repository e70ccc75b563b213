"""Every error a person's action can end in, as classes the doors render.

The storage and date errors are re-exported here, so a door imports one module and renders
each class once: English on the CLI (the message), Chinese in chat (`bot/render.py`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from plan_data.dates import DateNotInFuture, DateNotUnderstood, DateTooFar
from plan_data.errors import DubanError
from plan_data.units import UnknownUnit
from storage.errors import (
    DatabaseUnavailable,
    ExtensionAlreadyDecided,
    InvalidInvite,
    InvalidPercent,
    NoPlan,
    NotOwner,
    UnknownExtension,
    UnknownMilestone,
    UnknownStatus,
    UnknownTask,
)
from storage.signoffs import SignoffStep

__all__ = [
    "AlreadyUrged",
    "BeyondPlanWindow",
    "DatabaseUnavailable",
    "DateNotInFuture",
    "DateNotUnderstood",
    "DateTooFar",
    "DubanError",
    "EventNotYet",
    "ExtensionAlreadyDecided",
    "ExtensionPending",
    "ForeignButton",
    "InvalidInvite",
    "InvalidPercent",
    "LeadershipOnly",
    "LeadershipOnlyAction",
    "NeedsNote",
    "NoEventWaiting",
    "NoPlan",
    "NotAUnitChat",
    "NotAwaitingSignoff",
    "NotExtendable",
    "NotLater",
    "NotOwner",
    "NotYourQuestion",
    "NothingToUrge",
    "NothingToWithdraw",
    "QuestionClosed",
    "ReasonNeeded",
    "StaleButton",
    "TooManyGuesses",
    "UnitWithoutChat",
    "UnknownExtension",
    "UnknownMilestone",
    "UnknownStatus",
    "UnknownTask",
    "UnknownUnit",
    "UseExtensionRequest",
]


class ForeignButton(DubanError):
    """A button that does not belong to this chat's unit (pressed elsewhere, or forged)."""

    def __init__(self) -> None:
        super().__init__("this button belongs to another unit or to no prompt at all")


class LeadershipOnly(DubanError):
    """Something only a leadership chat may do."""

    def __init__(self) -> None:
        super().__init__("only the leadership may do this")


class NotAUnitChat(DubanError):
    """A report from a chat that speaks for no unit (the leadership's)."""

    def __init__(self) -> None:
        super().__init__("the leadership chat does not report progress; a unit's chat does")


class NeedsNote(DubanError):
    """A report that must say something (遇到困难 without saying what help is needed)."""

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(f"a {status} report needs a note saying what help is needed")


class UseExtensionRequest(DubanError):
    """An `extension` status given as a plain report: it is a request with a new date."""

    def __init__(self) -> None:
        super().__init__("an extension is a request with a new date (give --date)")


class NotExtendable(DubanError):
    """No open deadline milestone to extend: the task is ongoing, a period, or done."""

    def __init__(self, task_id: str, why: str, action: str | None = None) -> None:
        self.task_id = task_id
        # "ongoing": 持续推进 work; "period": a window (上半年…); "done": nothing left open;
        # "not_deadline": the named milestone is not a deadline; "event": it waits for its
        # event (待触发), so it has no due date to move yet.
        self.why = why
        self.action = action
        reasons = {
            "ongoing": "it is ongoing work without a deadline",
            "period": "it has only a period (such as 上半年), no deadline",
            "done": "every deadline of it is already done",
            "not_deadline": "that milestone is not a deadline",
            "event": "its deadline waits for its event to be reported",
        }
        super().__init__(f"{task_id} cannot be extended: {reasons.get(why, why)}")


class NotLater(DubanError):
    """An extension to a date that is not after the due date in force."""

    def __init__(self, due: date) -> None:
        self.due = due
        super().__init__(f"an extension must move the due date past {due.isoformat()}")


class BeyondPlanWindow(DubanError):
    """An extension past the end of the year after the plan's year."""

    def __init__(self, value: date, limit: date) -> None:
        self.value = value
        self.limit = limit
        super().__init__(
            f"{value.isoformat()} is too late: an extension may go up to {limit.isoformat()}"
        )


class ExtensionPending(DubanError):
    """A second request for a milestone whose first request is still undecided."""

    def __init__(self, task_id: str, new_date: date) -> None:
        self.task_id = task_id
        self.new_date = new_date
        super().__init__(
            f"{task_id} already has an extension to {new_date.isoformat()} awaiting a decision"
        )


class QuestionClosed(DubanError):
    """A press or answer for a question that was answered already or has lapsed."""

    def __init__(self) -> None:
        super().__init__("that question was answered already or has lapsed")


class NotYourQuestion(DubanError):
    """A press on a question that someone else was asked."""

    def __init__(self) -> None:
        super().__init__("that question was asked of someone else")


class EventNotYet(DubanError):
    """A reported event dated after the day it is reported on."""

    def __init__(self, event: str, day: date) -> None:
        self.event = event
        self.day = day
        super().__init__(f"{event} cannot have happened on {day.isoformat()}: that is ahead")


class NoEventWaiting(DubanError):
    """An event reported for a task none of whose milestones waits for one."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(f"no milestone of {task_id} waits for an event")


# ---- sign-off (销号) and 催办 ------------------------------------------------------------------


class StaleButton(DubanError):
    """A press that names nothing this ledger holds (forged, or from a wiped ledger)."""

    def __init__(self) -> None:
        super().__init__("this button names nothing the ledger holds")


class LeadershipOnlyAction(DubanError):
    """A sign-off (通过 / 退回) or a 催办 from a chat that is not the leadership's."""

    def __init__(self, action: Literal["signoff", "urge"]) -> None:
        self.action = action
        super().__init__(f"only the leadership may {action}")


class NotAwaitingSignoff(DubanError):
    """A sign-off of a report that waits for none: already passed, returned or withdrawn
    (`step` says which, by whom), or sign-off is not in use."""

    def __init__(self, task_id: str, unit: str, step: SignoffStep | None = None) -> None:
        self.task_id = task_id
        self.unit = unit
        self.step = step
        done = f"was {step.verdict} by {step.by}" if step else "waits for no sign-off"
        super().__init__(f"{task_id} of {unit} {done}")


class ReasonNeeded(DubanError):
    """A 退回 without a reason: the unit must be told what to put right."""

    def __init__(self) -> None:
        super().__init__("a return needs a reason the unit can act on")


class NothingToWithdraw(DubanError):
    """A 撤回 with no 已完成 to withdraw: none reported, or already signed off."""

    def __init__(self, task_id: str, signed: bool) -> None:
        self.task_id = task_id
        self.signed = signed
        why = "it is signed off already" if signed else "no 已完成 of it waits for sign-off"
        super().__init__(f"{task_id} cannot be withdrawn: {why}")


class NothingToUrge(DubanError):
    """A 催办 of an item that is neither overdue nor close to its deadline any more."""

    def __init__(self, task_id: str, unit: str) -> None:
        self.task_id = task_id
        self.unit = unit
        super().__init__(f"{task_id} of {unit} is neither overdue nor due soon")


class AlreadyUrged(DubanError):
    """A second 催办 of one item on one day."""

    def __init__(self, task_id: str, unit: str) -> None:
        self.task_id = task_id
        self.unit = unit
        super().__init__(f"{task_id} of {unit} was urged today already")


class UnitWithoutChat(DubanError):
    """A message for a unit that has no chat bound."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        super().__init__(f"{unit} has no chat bound")


class TooManyGuesses(DubanError):
    """Too many wrong invite codes from one chat or person: a cool-down before the next try."""

    def __init__(self, minutes: int, tell: bool) -> None:
        self.minutes = minutes
        # Whether to say so (the first refusal of a cool-down) or stay silent.
        self.tell = tell
        super().__init__(f"too many wrong invite codes; try again in {minutes} minutes")
