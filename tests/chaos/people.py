"""The people of a drill: each reads the day's prompt in their chat and answers it as a person
would, pressing again or sending the answer again when no reply comes (a restart, an outage),
and keeping count of every confirmation they saw."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot import render
from emulator.errors import ControlError
from emulator.model import User
from emulator.server import Emulator

Message = dict[str, Any]
Event = dict[str, Any]
# How a person answers an item, and how often.
CHOICES = ("done", "in_progress", "blocked", "skip")
WEIGHTS = (30, 35, 10, 25)
LABELS = {"done": "已完成", "in_progress": "进行中", "blocked": "遇到困难"}
MAX_TRIES = 40


@dataclass
class Tally:
    """What every person saw, across the drill."""

    # (chat, task id, status) -> confirmations seen (one per action that was confirmed)
    confirmed: Counter[tuple[int, str, str]] = field(default_factory=Counter)
    not_recorded: int = 0
    no_answer: int = 0
    anomalies: list[str] = field(default_factory=list)


class Person:
    """Someone in a unit's chat who answers its prompts."""

    def __init__(
        self,
        emu: Emulator,
        chat_id: int,
        user: User,
        rng: random.Random,
        tally: Tally,
        patience: float,
    ) -> None:
        self.emu = emu
        self.chat_id = chat_id
        self.user = user
        self.rng = rng
        self.tally = tally
        self.patience = patience
        self._notes = 0

    async def answer(self, keyboard: Message) -> None:
        """Answer each item of a prompt (its message with the buttons), one after another."""
        rows = (keyboard.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in rows:
            task = row[0]["text"].split()[0]
            choice = self.rng.choices(CHOICES, WEIGHTS)[0]
            if choice == "skip":
                continue
            button = next((b for b in row if LABELS[choice] in b["text"]), None)
            if button is None:
                continue
            if choice == "done":
                await self._done(keyboard["message_id"], button["callback_data"], task)
            else:
                await self._question(keyboard["message_id"], button["callback_data"], task, choice)

    async def _done(self, message_id: int, data: str, task: str) -> None:
        """Press 已完成 until a toast says it was recorded."""
        expected = render.report_done(task)
        for _ in range(MAX_TRIES):
            query = self._press(message_id, data)
            if query is None:
                return
            answer = await self.emu.state.wait_for(
                lambda q=query: self.emu.callback_answer(q), self.patience
            )
            said = (answer or {}).get("text")
            if said == expected:
                self.tally.confirmed[(self.chat_id, task, "done")] += 1
                return
            if not await self._try_again(said):
                return
        self.tally.anomalies.append(f"chat {self.chat_id}: {task} 已完成 never confirmed")

    async def _question(self, message_id: int, data: str, task: str, status: str) -> None:
        """Press 进行中 / 遇到困难, answer the question, until the answer is confirmed."""
        self._notes += 1
        note = f"第{self._notes}次说明 {self.rng.randrange(10**6)}"
        expected = render.recorded(task, status)  # type: ignore[arg-type]
        question: Message | None = None
        silent = 0
        for _ in range(MAX_TRIES):
            if question is None:
                mark = len(self.emu.state.events)
                query = self._press(message_id, data)
                if query is None:
                    return
                found = await self.emu.state.wait_for(
                    lambda q=query, m=mark: self._question_or_toast(q, m, task), self.patience
                )
                if found is None or "text" not in found or found.get("kind") == "toast":
                    said = (found or {}).get("said")
                    if not await self._try_again(said):
                        return
                    continue
                question = found
            mark = len(self.emu.state.events)
            sent = self.emu.send(self.chat_id, self.user, note, question["message_id"])
            reply = await self.emu.state.wait_for(
                lambda m=mark, after=sent["message_id"]: self._reply(m, after, expected),
                self.patience,
            )
            if reply == expected:
                self.tally.confirmed[(self.chat_id, task, status)] += 1
                return
            if reply is None:
                self.tally.no_answer += 1
                silent += 1
                if silent >= 3:  # the question itself may be gone: ask it again
                    question, silent = None, 0
                continue
            if not await self._try_again(reply):
                return
        self.tally.anomalies.append(f"chat {self.chat_id}: {task} {status} never confirmed")

    def _press(self, message_id: int, data: str) -> str | None:
        try:
            return self.emu.press(self.chat_id, message_id, data, self.user, force=True)
        except ControlError as exc:
            self.tally.anomalies.append(f"chat {self.chat_id}: cannot press: {exc}")
            return None

    async def _try_again(self, said: str | None) -> bool:
        """Note a failed try; return whether a person would simply try again."""
        if said is None:
            self.tally.no_answer += 1
        elif said == render.NOT_RECORDED:
            self.tally.not_recorded += 1
        else:
            self.tally.anomalies.append(f"chat {self.chat_id}: unexpected {said!r}")
            return False
        await asyncio.sleep(self.rng.uniform(0.5, 1.5))
        return True

    def _question_or_toast(self, query: str, mark: int, task: str) -> Message | None:
        for event in self.emu.state.events[mark:]:
            if event["kind"] != "sent" or event["chat_id"] != self.chat_id:
                continue
            message = event["message"]
            if str(message.get("text", "")).startswith(f"{task}："):
                return dict(message)
        answer = self.emu.callback_answer(query)
        if answer is not None and answer.get("text"):
            return {"kind": "toast", "said": answer["text"]}
        return None

    def _reply(self, mark: int, after: int, expected: str) -> str | None:
        for event in self.emu.state.events[mark:]:
            if event["kind"] != "sent" or event["chat_id"] != self.chat_id:
                continue
            message = event["message"]
            said = str(message.get("text", ""))
            if message["message_id"] > after and (
                said == expected or said in (render.NOT_RECORDED, render.SORRY)
            ):
                return said
        return None


def prompt_keyboard(
    events: list[Event], chat_id: int, header: str, start: int = 0
) -> tuple[int, Message] | None:
    """Return (index, message) of the buttons of a prompt sent to a chat: the message that
    starts with `header`, or the first later part that carries buttons (long prompts)."""
    found_header = False
    for index in range(start, len(events)):
        event = events[index]
        if event["kind"] != "sent" or event["chat_id"] != chat_id:
            continue
        message = event["message"]
        if str(message.get("text", "")).startswith(header):
            found_header = True
        if found_header and (message.get("reply_markup") or {}).get("inline_keyboard"):
            return index, message
    return None
