"""`duban sandbox --channel wecom`: the same offline demo over the local WeCom stand-in.

The stand-in plays 王科长 (bound to the unit) and 李局长 (leadership) as WeCom members: their
messages reach the service as encrypted callbacks, exactly as WeCom posts them, and what the
app sends them is printed here. Cards' buttons are numbered; type a number to press one.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.wecom.door import WeComConfig
from core.runtime import CoreConfig
from core.worker import WorkerOptions
from emulator.wecom import WeComEmulator
from scheduler.clock import Clock
from service.http import HttpConfig
from service.runner import RunConfig, serving
from service.sandbox import NO_PROMPT, WAIT, _invites, _no_proxy_for_loopback

UNIT_MEMBER = "wang"
LEAD_MEMBER = "li"
INTRO = """督办 sandbox on WeCom (企业微信): the service and a local WeCom stand-in, all offline.
You are 王科长 (member "wang", bound to {unit}); 李局长 ("li") is the leadership.
Type a message and press Enter; buttons are numbered: type 1..n to press one (on a list card,
type "3 2.3" to press button 3 for item 2.3). Start a line with "领导:" to write as 李局长.
"""


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _text(message: dict[str, Any]) -> str:
    kind = message["msgtype"]
    content = message.get(kind) or {}
    if kind in ("text", "markdown"):
        return str(content.get("content", ""))
    if kind == "template_card":
        title = content.get("main_title", {}).get("title", "")
        return "\n".join(p for p in (title, content.get("sub_title_text", "")) if p)
    return f"（{kind}）"


class _Screen:
    """What the terminal shows: every message the app sends either member, buttons numbered."""

    def __init__(self, wecom: WeComEmulator, out: TextIO) -> None:
        self.wecom = wecom
        self.out = out
        self.shown: dict[tuple[str, str], int] = {}
        self.buttons: dict[int, tuple[str, dict[str, Any], str]] = {}

    def refresh(self) -> None:
        for member, name in ((UNIT_MEMBER, "王科长"), (LEAD_MEMBER, "李局长")):
            for message in self.wecom.messages(member):
                version = len(message["updates"])
                key = (member, message["msgid"])
                if self.shown.get(key) == version:
                    continue
                updated = " · 卡片已更新" if key in self.shown else ""
                self.shown[key] = version
                print(f"── 督办助手 → {name}{updated} ──\n{_text(message)}", file=self.out)
                self._number(member, message)
                print("", file=self.out, flush=True)

    def _number(self, member: str, message: dict[str, Any]) -> None:
        card = message.get("template_card")
        if not card or message.get("buttons_disabled"):
            return
        options = (card.get("button_selection") or {}).get("option_list", [])
        if options:
            print("  事项：" + "；".join(o["text"] for o in options), file=self.out)
        cells = []
        for button in card.get("button_list", []):
            number = len(self.buttons) + 1
            self.buttons[number] = (member, message, button["text"])
            cells.append(f"[{number}] {button['text']}")
        print("  " + "  ".join(cells), file=self.out)


async def run_wecom_sandbox(
    *,
    unit: str,
    clock: Clock,
    database_url: str | None,
    plan_path: Path,
    tz: ZoneInfo,
    interactive: bool,
    out: TextIO,
) -> int:
    """Run the service on WeCom against the stand-in; a person types, or a script plays."""
    _no_proxy_for_loopback()
    with tempfile.TemporaryDirectory(prefix="duban-sandbox-") as tmp:
        url = database_url or f"sqlite:///{tmp}/sandbox.db"
        unit_code, lead_code = await _invites(url, plan_path, clock, unit)
        async with WeComEmulator.running() as wecom, AsyncExitStack() as stack:
            wecom.add_member(UNIT_MEMBER, "王科长")
            wecom.add_member(LEAD_MEMBER, "李局长")
            config = RunConfig(
                CoreConfig(url, plan_path, tz),
                wecom=WeComConfig(
                    corp_id=wecom.corp_id,
                    agent_id=wecom.agent_id,
                    secret=wecom.secret,
                    token=wecom.token,
                    encoding_aes_key=wecom.encoding_aes_key,
                    api_base_url=wecom.base_url,
                ),
                http=HttpConfig("127.0.0.1", _port()),
                worker=WorkerOptions(drain_interval=0.5, tick_interval=5.0),
            )
            running = await stack.enter_async_context(serving(config, clock))
            wecom.callback_url = f"{running.http_url}/wecom/callback"
            screen = _Screen(wecom, out)
            await wecom.send_text(UNIT_MEMBER, f"绑定 {unit_code}")
            await wecom.send_text(LEAD_MEMBER, f"绑定 {lead_code}")
            print(INTRO.format(unit=unit), file=out)
            if interactive:
                return await _chat(wecom, screen)
            return await _script(wecom, screen, out)
    return 0


async def _settle(wecom: WeComEmulator, screen: _Screen, seconds: float = 1.0) -> None:
    """Let the service answer, then show what it said."""
    await asyncio.sleep(seconds)
    screen.refresh()


async def _script(wecom: WeComEmulator, screen: _Screen, out: TextIO) -> int:
    """Play the newcomer's first minute: the card, 进行中 with a note, then 状态."""
    print("（脚本演示：等待09:00的督办提醒卡片……）\n", file=out)
    try:
        card = await wecom.wait_for_message(
            UNIT_MEMBER, lambda m: m["msgtype"] == "template_card", timeout=WAIT
        )
    except TimeoutError:
        print(NO_PROMPT, file=out)
        return 1
    screen.refresh()
    options = (card["template_card"].get("button_selection") or {}).get("option_list", [])
    item = options[0]["text"].split()[0] if options else None
    print(f"> （点 🔄 进行中{f'，事项 {item}' if item else ''}）\n", file=out)
    await wecom.press(UNIT_MEMBER, card, "进行中", item=item)
    await wecom.wait_for_message(UNIT_MEMBER, lambda m: "直接回复" in _text(m), timeout=WAIT)
    screen.refresh()
    note = "60% 已完成阶段性工作，下周报送材料"
    print(f"> {note}\n", file=out)
    await wecom.send_text(UNIT_MEMBER, note)
    await wecom.wait_for_message(UNIT_MEMBER, lambda m: "已记录" in _text(m), timeout=WAIT)
    # The card is updated right after the confirmation: show that too before moving on.
    await wecom.wait_for_message(UNIT_MEMBER, lambda m: "已更新" in _text(m), timeout=WAIT)
    screen.refresh()
    print("> 状态\n", file=out)
    await wecom.send_text(UNIT_MEMBER, "状态")
    await wecom.wait_for_message(UNIT_MEMBER, lambda m: "截至" in _text(m), timeout=WAIT)
    screen.refresh()
    return 0


async def _chat(wecom: WeComEmulator, screen: _Screen) -> int:
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
    while True:
        try:
            line = await asyncio.wait_for(lines.get(), 1.0)
        except TimeoutError:
            screen.refresh()
            continue
        if line is None:
            return 0
        await _act(wecom, screen, line.strip())
        await _settle(wecom, screen)


async def _act(wecom: WeComEmulator, screen: _Screen, line: str) -> None:
    """Turn one typed line into what a member would do in the app."""
    words = line.split()
    if words and words[0].isdigit():
        found = screen.buttons.get(int(words[0]))
        if found is not None:
            member, message, label = found
            item = words[1] if len(words) > 1 else None
            await wecom.press(member, message["msgid"], label, item=item, force=True)
            return
    member = UNIT_MEMBER
    for prefix in ("领导:", "领导："):
        if line.startswith(prefix):
            member, line = LEAD_MEMBER, line[len(prefix) :].strip()
    if line:
        await wecom.send_text(member, line)
