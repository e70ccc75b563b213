"""Strangers and forgers: updates from chats nobody bound, buttons forged from real prompts'
data and from noise, and what all of it made the bot say to people who may learn nothing."""

from __future__ import annotations

import contextlib
import random
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot import render
from emulator.errors import ControlError
from emulator.model import Chat, User
from emulator.server import Emulator
from plan_data import default_plan_path, load_plan

# What a stranger may ever hear: how to bind, and refusals that carry nothing of the plan.
ALLOWED = (
    render.HOW_TO_BIND,
    render.BIND_USAGE,
    render.INVALID_INVITE,
    render.STALE_BUTTON,
    render.LEADERSHIP_ONLY,
    render.NOT_RECORDED,
)
COOL_DOWN = re.compile(re.escape(render.TOO_MANY_GUESSES).replace(r"\{minutes\}", r"\d+"))
WORDS = [
    "/start", "/help", "/status", "/status 社救科", "/status 2.3", "/tasks", "/upcoming 14",
    "/overdue", "/history 2.3", "/history 1.1", "/report 2.3 已完成", "/report 2.3 进展顺利",
    "/digest", "/export", "/unbind", "/bind", "状态 社区科", "任务", "历史 2.3", "周报", "台账",
    "汇报 2.3 60% 已签约", "逾期", "临近", "你好", "2.3 已完成", "已完成", "60%", "?", "🙂",
    "/status@duban_test_bot 社救科", "/bind@other_bot 1234", "<b>x</b>", "' OR 1=1 --",
]  # fmt: skip


@dataclass
class StrangerFigures:
    """What strangers sent and heard."""

    updates: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    heard: Counter[str] = field(default_factory=Counter)
    # Bytes of anything a stranger heard beyond the fixed replies, and of plan data in it.
    other_bytes: int = 0
    plan_bytes: int = 0


class Strangers:
    """Chats nobody bound, sending noise and forged presses."""

    def __init__(self, emu: Emulator, rng: random.Random, chats: int = 12) -> None:
        self.emu = emu
        self.rng = rng
        self.people: list[tuple[Chat, User]] = []
        for n in range(chats):
            user = emu.add_user(f"路人{n}", f"stranger{n}")
            if n % 2:
                chat = emu.add_private_chat(user)
            else:
                chat = emu.add_group(f"陌生群{n}", bot_is_admin=n % 4 == 0)
            self.people.append((chat, user))
        self.figures = StrangerFigures()
        plan = load_plan(default_plan_path())
        self._plan_words = {t.id for t in plan.tasks} | {t.title[:6] for t in plan.tasks}
        self._plan_words |= {u for u in plan.units if u != "综合办"}

    def send_one(self, buttons: dict[int, list[str]], bound: dict[int, tuple[User, str]]) -> None:
        """Send one update: noise, a guess, a file, a forged press, or a press in a bound chat
        on another unit's button (`buttons`: every button sent, by chat; `bound`: each bound
        chat's person and unit)."""
        self.figures.updates += 1
        chat, user = self.rng.choice(self.people)
        kind = self.rng.choice(
            ["text", "text", "guess", "forged", "forged", "garbage", "photo", "foreign", "member"]
        )
        self.figures.kinds[kind] += 1
        if kind == "text":
            self.emu.send(chat.id, user, self.rng.choice(WORDS))
        elif kind == "guess":
            code = "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=8))
            self.emu.send(chat.id, user, f"/bind {code[:4]}-{code[4:]}")
        elif kind == "photo":
            self.emu.send_photo(chat.id, user, caption=self.rng.choice(WORDS))
        elif kind == "member":
            if chat.type != "private":
                self.emu.remove_bot(chat.id, user)
                self.emu.restore_bot(chat.id, user)
        elif kind == "foreign" and bound:
            # In a bound chat, a button of another unit's prompt: refused, records nothing.
            target = self.rng.choice(sorted(bound))
            person, unit = bound[target]
            others = [d for c, found in buttons.items() if bound.get(c, (None, unit))[1] != unit
                      for d in found]  # fmt: skip
            anchor = max(m["message_id"] for m in self.emu.bot_messages(target))
            if others:
                self._press(target, anchor, self.rng.choice(others), person)
        else:
            every = [d for found in buttons.values() for d in found]
            data = self.rng.choice(every) if kind == "forged" and every else self._noise()
            anchor = self.emu.send(chat.id, user, "占位")["message_id"]
            self._press(chat.id, anchor, data, user)

    def _press(self, chat_id: int, message_id: int, data: str, user: User) -> None:
        with contextlib.suppress(ControlError):
            self.emu.press(chat_id, message_id, data, user, force=True)

    def _noise(self) -> str:
        noise = [
            "a:1:done", "a:999999:done", "x:1:yes", "k:1:item:1", "s:1:pass", "u:1:now:1",
            "a:1:delete", "hello", "", "a:-1:done", "a:1:done:1:2", "x" * 64,
        ]  # fmt: skip
        return self.rng.choice(noise)

    def measure(self) -> StrangerFigures:
        """Count what strangers heard: every message and every toast in their chats."""
        ids = {chat.id for chat, _ in self.people}
        for event in self.emu.state.events:
            if event.get("chat_id") not in ids:
                continue
            if event["kind"] == "sent":
                said = str(event["message"].get("text") or event["message"].get("caption") or "")
            elif event["kind"] == "callback_answer":
                said = str(event.get("text") or "")
            else:
                continue
            if not said:
                continue
            self.figures.heard[said[:40]] += 1
            if said in ALLOWED or COOL_DOWN.fullmatch(said):
                continue
            self.figures.other_bytes += len(said.encode())
            if any(word in said for word in self._plan_words):
                self.figures.plan_bytes += len(said.encode())
        return self.figures


def buttons_by_chat(events: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Return the data of every button the bot has sent so far, by chat."""
    found: dict[int, list[str]] = {}
    for event in events:
        if event["kind"] != "sent":
            continue
        rows = (event["message"].get("reply_markup") or {}).get("inline_keyboard") or []
        data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        if data:
            found.setdefault(event["chat_id"], []).extend(data)
    return found
