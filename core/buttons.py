"""Semantic buttons: what pressing a button means, and one compact text form of it.

A channel shows a `Button` however it likes (Telegram: inline keyboard rows; WeCom: a card's
selection list and buttons) and carries `Press.encode()` as its callback data or event key.
`Press.decode` is strict: anything that is not exactly our form is None (forged or stale).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PressKind = Literal["answer", "decide", "pick", "signoff", "urge"]

# One letter per kind keeps the text far below Telegram's 64-byte callback data limit.
_KIND_CODES: dict[PressKind, str] = {
    "answer": "a",
    "decide": "x",
    "pick": "k",
    "signoff": "s",
    "urge": "u",
}
_CODE_KINDS: dict[str, PressKind] = {code: kind for kind, code in _KIND_CODES.items()}
_FORM = re.compile(r"([axksu]):(\d{1,18}):([a-z_]{1,16})(?::(\d{1,18}))?")
MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class Press:
    """What a press asks for: `kind` of action on `target` (an id), with a `choice`.

    - answer: target = outbox item id, choice = a status (done, in_progress, blocked, extension)
    - decide: target = extension request id, choice = yes | no
    - pick: target = pending question id, choice = "item", extra = the outbox item id
    - signoff: target = sign-off request id, choice = pass | return
    - urge: target = task row, choice = "now", extra = unit id
    """

    kind: PressKind
    target: int
    choice: str
    extra: int | None = None

    def encode(self) -> str:
        """Return the compact text form (`a:12:done`), at most 64 bytes."""
        text = f"{_KIND_CODES[self.kind]}:{self.target}:{self.choice}"
        if self.extra is not None:
            text += f":{self.extra}"
        if len(text.encode()) > MAX_BYTES or _FORM.fullmatch(text) is None:
            raise ValueError(f"cannot encode {self!r} as button data")
        return text

    @staticmethod
    def decode(data: str | None) -> Press | None:
        """Return the press a button's data stands for, or None when it is not ours."""
        if not data:
            return None
        found = _FORM.fullmatch(data)
        if found is None:
            return None
        code, target, choice, extra = found.groups()
        return Press(_CODE_KINDS[code], int(target), choice, int(extra) if extra else None)


@dataclass(frozen=True, slots=True)
class Button:
    """A labelled button and what pressing it means."""

    label: str
    press: Press
