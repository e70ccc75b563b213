"""Dialogue tables: what people do in chat and what the bot says, written once for every
channel. A `Driver` plays a table over one channel (Telegram's emulator today)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vocabulary import DEFAULT_TZ


@dataclass(frozen=True)
class Step:
    """One line of a dialogue.

    who:   whose chat ("unit": 社救科's 王科长, "lead": 局领导's 李局长, "mate": a colleague in
           王科长's chat, "other": 社区科's 赵科长)
    does:  "say" (a new message), "answer" (a reply to the latest question or prompt where the
           channel has replies; the next message where it has none), "press" (a button),
           "press_foreign" (press, in who's chat, a button of `to`'s latest message),
           "photo" (a picture, named `text`, sent the way "answer" sends a message),
           "at" (the clock moves to `text`, an ISO time, and the scheduler runs), "restart"
           (the service stops and starts again), "" (nothing: only check what is heard)
    text:  what is typed, the button's label, or the time
    item:  the task id whose row of buttons is pressed (None: the only or the first row)
    hears: what the bot's next message in `to`'s chat contains; "" means the bot says nothing
           to `who` (checked after a read-only command has been answered)
    to:    whose chat `hears` is about (default: who)
    """

    who: str
    does: str
    text: str = ""
    item: str | None = None
    hears: str | None = None
    to: str | None = None


def at(when: str) -> Step:
    """Return a step that moves the clock (Asia/Shanghai) and runs the scheduler."""
    return Step("unit", "at", when)


@dataclass(frozen=True)
class Dialogue:
    """A table: who is in which chat (a unit, None for leadership, STRANGER for nobody's),
    then the steps."""

    name: str
    people: dict[str, str | None]
    steps: list[Step]
    # The channels it is about (None: every channel); e.g. a colleague in a group chat.
    only: frozenset[str] | None = None

    def runs_on(self, channel: str) -> bool:
        """Return whether the table applies to a channel."""
        return self.only is None or channel in self.only


STRANGER = "stranger"


class Driver(Protocol):
    """A channel as the tables use it."""

    async def bind(self, who: str, unit: str | None) -> None:
        """Make `who`'s chat and bind it to `unit` (None: leadership; STRANGER: not bound)."""
        ...

    async def act(self, step: Step) -> None:
        """Do what a step says (say, answer, press, or move the clock)."""
        ...

    async def next_text(self, who: str, containing: str) -> str:
        """Wait for the bot's next message in `who`'s chat containing the text; return it."""
        ...

    async def assert_quiet(self, who: str) -> None:
        """Fail if the bot said anything in `who`'s chat since `who` last acted."""
        ...


def instant(text: str) -> datetime:
    """Return an ISO time as an aware datetime in the office's time zone."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=DEFAULT_TZ)


async def play(driver: Driver, dialogue: Dialogue) -> None:
    """Play a table, checking what the bot says after each step."""
    for who, unit in dialogue.people.items():
        await driver.bind(who, unit)
    for number, step in enumerate(dialogue.steps, start=1):
        await driver.act(step)
        if step.hears is None:
            continue
        target = step.to or step.who
        if step.hears == "":
            await driver.assert_quiet(target)
            continue
        try:
            await driver.next_text(target, step.hears)
        except TimeoutError as exc:
            said = f"the bot never said {step.hears!r}"
            raise AssertionError(f"step {number} {step}: {said}") from exc
