"""Callback data for inline buttons: compact to encode, strict to decode."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Answer = Literal["done", "in_progress", "blocked", "extension"]

# One letter per answer keeps `a:<outbox>:<item>:<x>` far below Telegram's 64-byte limit.
_ANSWER_CODES: dict[Answer, str] = {
    "done": "d",
    "in_progress": "p",
    "blocked": "b",
    "extension": "e",
}
_CODE_ANSWERS: dict[str, Answer] = {code: answer for answer, code in _ANSWER_CODES.items()}
ANSWERS: tuple[Answer, ...] = tuple(_ANSWER_CODES)

_ANSWER_DATA = re.compile(r"a:(\d{1,18}):(\d{1,18}):([dpbe])")
_DECISION_DATA = re.compile(r"x:(\d{1,18}):([yn])")

MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True, slots=True)
class AnswerTap:
    """A unit's tap on one prompt item: which message and item, and which answer."""

    outbox_id: int
    item_id: int
    answer: Answer


@dataclass(frozen=True, slots=True)
class DecisionTap:
    """A leadership tap on an extension request: approve or reject."""

    extension_id: int
    approve: bool


Tap = AnswerTap | DecisionTap


def encode_answer(outbox_id: int, item_id: int, answer: Answer) -> str:
    """Return the callback data for answering one prompt item."""
    return _checked(f"a:{outbox_id}:{item_id}:{_ANSWER_CODES[answer]}")


def encode_decision(extension_id: int, approve: bool) -> str:
    """Return the callback data for deciding an extension request."""
    return _checked(f"x:{extension_id}:{'y' if approve else 'n'}")


def decode(data: str | None) -> Tap | None:
    """Return what a button's data means, or None when it is not ours (forged or stale)."""
    if not data:
        return None
    answer = _ANSWER_DATA.fullmatch(data)
    if answer:
        outbox_id, item_id, code = answer.groups()
        return AnswerTap(int(outbox_id), int(item_id), _CODE_ANSWERS[code])
    decision = _DECISION_DATA.fullmatch(data)
    if decision:
        return DecisionTap(int(decision.group(1)), decision.group(2) == "y")
    return None


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def may_answer(chat_unit: str | None, item_unit: str | None) -> bool:
    """Return whether a chat bound to `chat_unit` may answer an item of `item_unit`."""
    # A unit answers only its own items; the leadership (None) answers none, and an item
    # that does not exist (None) is nobody's.
    return chat_unit is not None and item_unit == chat_unit


def may_decide(chat_is_leadership: bool) -> bool:
    """Return whether a chat may approve or reject extension requests."""
    return chat_is_leadership
