"""The outbox payload: what a queued message says and which buttons it carries.

Written here by the scheduler (and the core, for a leader's 催办), read by the core's sender
and by `simulate`. `to_json` and `from_json` are the only places that know the stored shape;
`version` lets a later shape read an older row, and an unknown one is refused, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from plan_data.errors import DubanError
from storage.records import ItemKind

PAYLOAD_VERSION = 1
ButtonSet = Literal["prompt", "extension_decision", "signoff"]


class PayloadError(DubanError):
    """A stored payload that this version of duban cannot read."""


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class PayloadItem:
    """One (task, unit, milestone) a message is about, as its text shows it."""

    task: str
    unit: str
    milestone_id: int | None
    kind: ItemKind
    due: date | None
    action: str | None


@dataclass(frozen=True, slots=True)
class PayloadReview:
    """One 已完成 a 【办结审核】 lists (its 通过 / 退回 buttons name the entry)."""

    entry_id: int
    task: str


@dataclass(frozen=True, slots=True)
class OutboxPayload:
    """A queued message: its text, the items it is about, and which buttons go with it."""

    text: str
    items: tuple[PayloadItem, ...] = ()
    buttons: ButtonSet | None = None
    extension_id: int | None = None
    reviews: tuple[PayloadReview, ...] = ()
    version: int = PAYLOAD_VERSION

    def to_json(self) -> dict[str, Any]:
        """Return the payload as stored (JSON)."""
        data: dict[str, Any] = {
            "version": self.version,
            "text": self.text,
            "items": [
                {
                    "task": i.task,
                    "unit": i.unit,
                    "milestone_id": i.milestone_id,
                    "kind": i.kind,
                    "due": i.due.isoformat() if i.due else None,
                    "action": i.action,
                }
                for i in self.items
            ],
            "buttons": self.buttons,
            "extension_id": self.extension_id,
        }
        if self.reviews:
            # Only a 【办结审核】 carries reviews: other rows keep the shape they always had.
            data["reviews"] = [{"entry_id": r.entry_id, "task": r.task} for r in self.reviews]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutboxPayload:
        """Read a stored payload; raise PayloadError when it is not one this code wrote."""
        # Rows queued before the payload had a version are version 1 in all but the key.
        version = data.get("version", 1)
        if version != PAYLOAD_VERSION:
            raise PayloadError(f"outbox payload version {version!r} is not {PAYLOAD_VERSION}")
        try:
            buttons = data.get("buttons")
            if buttons is not None and buttons not in get_args(ButtonSet):
                raise PayloadError(f"unknown buttons {buttons!r}")
            extension_id = data.get("extension_id")
            return cls(
                text=str(data["text"]),
                items=tuple(_item(i) for i in data.get("items") or ()),
                buttons=buttons,
                extension_id=int(extension_id) if extension_id is not None else None,
                reviews=tuple(
                    PayloadReview(int(r["entry_id"]), str(r["task"]))
                    for r in data.get("reviews") or ()
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PayloadError(f"malformed outbox payload: {exc}") from exc


def _item(data: dict[str, Any]) -> PayloadItem:
    kind = data["kind"]
    if kind not in get_args(ItemKind):
        raise PayloadError(f"unknown item kind {kind!r}")
    due = data.get("due")
    milestone = data.get("milestone_id")
    return PayloadItem(
        task=str(data["task"]),
        unit=str(data["unit"]),
        milestone_id=int(milestone) if milestone is not None else None,
        kind=kind,
        due=date.fromisoformat(due) if due else None,
        action=data.get("action"),
    )
