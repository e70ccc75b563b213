"""`duban sandbox`: the whole system offline, with a terminal standing in for the chat app."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.telegram.app import TelegramConfig
from core.runtime import CoreConfig
from core.worker import WorkerOptions
from emulator.errors import ControlError
from emulator.server import Emulator
from scheduler.clock import Clock
from service.runner import RunConfig, serving
from storage.bootstrap import open_ledger
from storage.invites import create_invite

DEFAULT_CLOCK = "2022-06-23T08:59:30+08:00"
"""A Thursday with prompts due at 09:00 (2.3's D-7), half a minute away."""
DEFAULT_UNIT = "社救科"
# 6月23日 prompts only 社救科; on Friday 6月24日 every unit gets its monthly check-in.
OTHER_UNITS_DAY = "2022-06-24"


def default_clock(unit: str, interactive: bool) -> str:
    """Return the sandbox's start: just before a 09:00 that prompts this unit."""
    day = DEFAULT_CLOCK[:10] if unit == DEFAULT_UNIT else OTHER_UNITS_DAY
    # The script need not wait half a minute for 09:00; a person reading the intro does.
    seconds = "30" if interactive else "55"
    return f"{day}T08:59:{seconds}+08:00"


NOTHING_TO_ANSWER = "（群里的机器人只看命令和对它的回复；现在没有待回复的提问，这句话它看不到。）"
NO_PROMPT = (
    "No prompt arrived: nothing is due for this unit at this clock, or this ledger (--db)"
    " already sent today's prompt. Try another --clock, another --as unit, or no --db."
)
WAIT = 90.0

INTRO = """督办 sandbox: the bot, the scheduler and a local Telegram emulator, all offline.
You are {person} in the chat "{group}" (bound to {unit}); the clock starts at {clock}.
Type a message and press Enter. Buttons are numbered: type 1..n to press one.
Lines starting with / are commands (/status, /tasks, /upcoming, /help).
Start a line with "领导:" to write in the leadership chat. Ctrl-D or Ctrl-C quits.
"""


@dataclass
class World:
    """The emulated people and chats of a sandbox run."""

    emu: Emulator
    person: Any
    leader: Any
    group: int
    leadership: int
    names: dict[int, str]
    buttons: dict[int, tuple[int, int, str]] = field(default_factory=dict)
    next_button: int = 1
    # chat id -> the latest bot message that asks for an answer (a question or a prompt)
    reply_targets: dict[int, int] = field(default_factory=dict)
    # the last emulator event the terminal has shown, and a way to wait for it to move
    shown: int = 0
    progress: asyncio.Condition = field(default_factory=asyncio.Condition)


async def run_sandbox(
    *,
    unit: str,
    clock: Clock,
    database_url: str | None,
    plan_path: Path,
    tz: ZoneInfo,
    interactive: bool,
    out: TextIO,
) -> int:
    """Run everything against the emulator; a person types, or a short script plays itself."""
    _no_proxy_for_loopback()
    # A drain that outlasts its interval is skipped with a warning: noise in a terminal chat.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="duban-sandbox-") as tmp:
        url = database_url or f"sqlite:///{tmp}/sandbox.db"
        unit_code, lead_code = await _invites(url, plan_path, clock, unit)
        async with _world(unit) as world:
            # Entries are idempotent on Telegram's update id; a fresh emulator counts from 1,
            # so continue from the clock to keep a reused --db from mistaking new for old.
            world.emu.state.next_update_id = time.time_ns() // 1_000_000
            config = RunConfig(
                CoreConfig(url, plan_path, tz),
                telegram=TelegramConfig(
                    token=world.emu.token, api_base_url=world.emu.base_url, poll_timeout=2
                ),
                worker=WorkerOptions(drain_interval=0.5, tick_interval=5.0),
            )
            async with serving(config, clock):
                await _say(world, world.group, world.person, f"/bind {unit_code}")
                await _say(world, world.leadership, world.leader, f"/bind {lead_code}")
                print(
                    INTRO.format(
                        person=world.person.first_name,
                        group=world.names[world.group],
                        unit=unit,
                        clock=clock.now().astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                    ),
                    file=out,
                )
                async with asyncio.TaskGroup() as group:
                    watcher = group.create_task(_watch(world, out))
                    try:
                        if interactive:
                            await _chat(world, out)
                            return 0
                        return await _script(world, out)
                    finally:
                        watcher.cancel()
    return 0


def _no_proxy_for_loopback() -> None:
    # The bot's transport would send loopback traffic to a configured proxy otherwise.
    current = os.environ.get("NO_PROXY", "")
    extra = "127.0.0.1,localhost"
    os.environ["NO_PROXY"] = f"{current},{extra}" if current else extra
    os.environ["no_proxy"] = os.environ["NO_PROXY"]


async def _invites(url: str, plan_path: Path, clock: Clock, unit: str) -> tuple[str, str]:
    """Make the two invite codes the admin would hand out (`duban invite`)."""
    db = await open_ledger(url, plan_path, clock.now())
    try:
        async with db.session() as session:
            unit_invite = await create_invite(session, unit, clock.now())
            lead_invite = await create_invite(session, None, clock.now())
    finally:
        await db.close()
    return unit_invite.code, lead_invite.code


@asynccontextmanager
async def _world(unit: str) -> AsyncIterator[World]:
    async with Emulator.running() as emu:
        person = emu.add_user("王科长", "wang")
        leader = emu.add_user("李局长", "li")
        # Fresh chat ids each run: a reused --db then treats them as new chats, as it should.
        base = -(10**12 + time.time_ns() // 1_000_000 % 10**11)
        group = emu.add_group(f"{unit}工作群", chat_id=base)
        leadership = emu.add_group("局领导群", chat_id=base - 1)
        names = {group.id: group.title or unit, leadership.id: leadership.title or "局领导群"}
        yield World(emu, person, leader, group.id, leadership.id, names)


async def _say(
    world: World, chat_id: int, user: Any, text: str, reply_to: int | None = None
) -> dict[str, Any]:
    """Write as a user and wait for the bot's first answer."""
    last = max((m["message_id"] for m in world.emu.messages(chat_id)), default=0)
    world.emu.send(chat_id, user, text, reply_to)
    return await world.emu.wait_for_bot_message(chat_id, after=last + 1, timeout=WAIT)


async def _watch(world: World, out: TextIO) -> None:
    """Print every message the bot sends or edits in the two chats, buttons numbered."""
    while True:
        events = await world.emu.wait_for_event(after=world.shown, timeout=60)
        for event in events:
            world.shown = max(world.shown, event["seq"])
            if event["kind"] in ("sent", "edited") and event["chat_id"] in world.names:
                _note_reply_target(world, event)
                print(_show(world, event["chat_id"], event["message"], event["kind"]), file=out)
                out.flush()
            elif event["kind"] == "callback_answer" and event.get("text"):
                print(f"  （提示）{event['text']}", file=out)
        async with world.progress:
            world.progress.notify_all()


def _show(world: World, chat_id: int, message: dict[str, Any], kind: str) -> str:
    head = f"── {world.names[chat_id]} · 督办助手" + (" · 消息已更新" if kind == "edited" else "")
    lines = [head + " ──", message.get("text") or message.get("caption") or "（文件）"]
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in keyboard:
        cells = []
        for button in row:
            number = world.next_button
            world.next_button += 1
            world.buttons[number] = (chat_id, message["message_id"], button["callback_data"])
            cells.append(f"[{number}] {button['text']}")
        lines.append("  " + "  ".join(cells))
    return "\n".join(lines) + "\n"


def _note_reply_target(world: World, event: dict[str, Any]) -> None:
    """Remember a bot message that asks for an answer: typed lines will reply to it."""
    markup = event.get("requested_markup") or event["message"].get("reply_markup") or {}
    if event["kind"] == "sent" and (markup.get("force_reply") or markup.get("inline_keyboard")):
        world.reply_targets[event["chat_id"]] = int(event["message"]["message_id"])


def _act(world: World, line: str, out: TextIO) -> None:
    """Turn one typed line into what a person would do in the chat."""
    if line.isdigit():
        found = world.buttons.get(int(line))
        if found is None:
            print("没有这个按钮编号。", file=out)
            return
        chat_id, message_id, data = found
        user = world.leader if chat_id == world.leadership else world.person
        try:
            world.emu.press(chat_id, message_id, data, user)
        except ControlError:  # the emulator refuses a button that is no longer there
            print("这个按钮已经不在了。", file=out)
        return
    chat_id, user = world.group, world.person
    for prefix in ("领导:", "领导："):
        if line.startswith(prefix):
            chat_id, user, line = world.leadership, world.leader, line[len(prefix) :].strip()
    reply_to = None if line.startswith("/") else world.reply_targets.get(chat_id)
    if reply_to is None and not line.startswith("/"):
        print(NOTHING_TO_ANSWER, file=out)
    world.emu.send(chat_id, user, line, reply_to)


async def _chat(world: World, out: TextIO) -> None:
    """Read lines from the terminal until end of input."""
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read() -> None:
        # A daemon thread: input() cannot be cancelled, and must not keep the process alive.
        while True:
            try:
                text = input()
            except EOFError:
                loop.call_soon_threadsafe(lines.put_nowait, None)
                return
            loop.call_soon_threadsafe(lines.put_nowait, text)

    threading.Thread(target=read, name="sandbox-input", daemon=True).start()
    while (line := await lines.get()) is not None:
        if line.strip():
            _act(world, line.strip(), out)


async def _script(world: World, out: TextIO) -> int:
    """Play the newcomer's first minute: the prompt, 进行中 with a note, then /status."""
    emu = world.emu
    print("（脚本演示：等待09:00的督办提醒……）\n", file=out)
    try:
        prompt = await emu.wait_for_bot_message(
            world.group, lambda m: "【督办提醒】" in (m.get("text") or ""), timeout=WAIT
        )
    except TimeoutError:
        print(NO_PROMPT, file=out)
        return 1
    first_row = prompt["reply_markup"]["inline_keyboard"][0]
    in_progress = next(b for b in first_row if "进行中" in b["text"])
    await _caught_up(world)
    print(f"> （点 {in_progress['text']}）\n", file=out)
    emu.press(world.group, prompt["message_id"], in_progress["callback_data"], world.person)
    question = await emu.wait_for_bot_message(
        world.group,
        lambda m: "直接回复本消息" in (m.get("text") or ""),
        after=prompt["message_id"],
        timeout=WAIT,
    )
    note = "60% 已完成阶段性工作，下周报送材料"
    await _caught_up(world)
    print(f"> （回复）{note}\n", file=out)
    emu.send(world.group, world.person, note, question["message_id"])
    await emu.wait_for_bot_message(
        world.group,
        lambda m: "已记录" in (m.get("text") or ""),
        after=question["message_id"],
        timeout=WAIT,
    )
    # The prompt is tidied right after the confirmation: show that too before moving on.
    await emu.wait_for_bot_message(
        world.group,
        lambda m: m["message_id"] == prompt["message_id"] and "已更新" in (m.get("text") or ""),
        after=prompt["message_id"] - 1,
        timeout=WAIT,
    )
    await _caught_up(world)
    print("> /status\n", file=out)
    await _say(world, world.group, world.person, "/status")
    await _caught_up(world)
    return 0


async def _caught_up(world: World) -> None:
    """Wait until the terminal has shown everything that happened so far."""
    latest = len(world.emu.events)
    async with asyncio.timeout(WAIT), world.progress:
        await world.progress.wait_for(lambda: world.shown >= latest)
