"""Play dialogue tables over WeCom: the real service, the WeCom stand-in, encrypted callbacks."""

from __future__ import annotations

import contextlib
import socket
from contextlib import AsyncExitStack
from typing import Any

from bot.wecom.door import WeComConfig
from core.runtime import CoreConfig
from core.worker import WorkerOptions
from emulator.wecom import WeComEmulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from service.http import HttpConfig
from service.runner import RunConfig, Running, serving
from storage.invites import create_invite
from tests.dialogue.script import STRANGER, Step, instant
from web.config import WebConfig

WAIT = 10.0
PROBE = "状态 2.3"
PHOTO = b"\xff\xd8\xff\xe0 a picture of the signed agreement"
PEOPLE = {
    "unit": "王科长",
    "lead": "李局长",
    "other": "赵科长",
    "mate": "刘科员",
    "stranger": "路人",
}

Message = dict[str, Any]


def text_of(message: Message) -> str:
    """Return everything a member reads in a WeCom message: text, markdown or a card."""
    kind = message["msgtype"]
    content = message.get(kind) or {}
    if kind in ("text", "markdown"):
        return str(content.get("content", ""))
    if kind != "template_card":
        return ""
    parts = [
        content.get("main_title", {}).get("title", ""),
        content.get("main_title", {}).get("desc", ""),
        content.get("sub_title_text", ""),
    ]
    parts += [b.get("text", "") for b in content.get("button_list", [])]
    options = (content.get("button_selection") or {}).get("option_list", [])
    parts += [o.get("text", "") for o in options]
    return "\n".join(p for p in parts if p)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class WeComHarness:
    """One WeCom stand-in, one database, and the service on them (started and stopped)."""

    def __init__(self, wecom: WeComEmulator, database_url: str, clock: FrozenClock) -> None:
        self.wecom = wecom
        self.database_url = database_url
        self.clock = clock
        self.port = _free_port()
        self.running: Running | None = None
        self._stack: AsyncExitStack | None = None

    def config(self) -> RunConfig:
        """Return the service's configuration against the stand-in (timers off)."""
        wecom = self.wecom
        return RunConfig(
            CoreConfig(
                self.database_url,
                default_plan_path(),
                board_url=f"http://127.0.0.1:{self.port}",
            ),
            wecom=WeComConfig(
                corp_id=wecom.corp_id,
                agent_id=wecom.agent_id,
                secret=wecom.secret,
                token=wecom.token,
                encoding_aes_key=wecom.encoding_aes_key,
                api_base_url=wecom.base_url,
                paced=False,
            ),
            http=HttpConfig("127.0.0.1", self.port),
            web=WebConfig(public_url=f"http://127.0.0.1:{self.port}"),
            worker=WorkerOptions(timers=False, drain_interval=0.2),
        )

    async def start(self) -> None:
        """Start the service and point the stand-in's members at its callback."""
        self._stack = AsyncExitStack()
        self.running = await self._stack.enter_async_context(serving(self.config(), self.clock))
        self.wecom.callback_url = f"{self.running.http_url}/wecom/callback"

    async def stop(self) -> None:
        """Stop the service the way SIGTERM would."""
        if self._stack is not None:
            await self._stack.aclose()
        self._stack, self.running = None, None

    async def invite(self, unit: str | None) -> str:
        """Make an invite code as `duban invite` does."""
        assert self.running is not None
        async with self.running.core.db.session() as session:
            return (await create_invite(session, unit, self.clock.now())).code

    async def at(self, when: str) -> None:
        """Move the clock and let the scheduler and the sender run once."""
        assert self.running is not None
        self.clock.set(instant(when))
        await self.running.worker.run_pass()


class WeComDriver:
    """Drives the WeCom stand-in: each person is a member, each member a chat of its own."""

    def __init__(self, harness: WeComHarness) -> None:
        self.harness = harness
        self.wecom = harness.wecom
        self.cursor: dict[str, int] = {}
        self.updates: dict[str, dict[str, int]] = {}

    async def bind(self, who: str, unit: str | None) -> None:
        """Add `who` as a member and bind them by sending 绑定 CODE to the app."""
        self.wecom.add_member(who, PEOPLE[who])
        self.cursor[who] = 0
        if unit == STRANGER:
            return
        await self.wecom.send_text(who, f"绑定 {await self.harness.invite(unit)}")
        await self.next_text(who, "已绑定")

    async def act(self, step: Step) -> None:
        """Do what the step says."""
        if step.does == "at":
            await self.harness.at(step.text)
            return
        if step.does == "restart":
            await self.harness.stop()
            await self.harness.start()
            return
        if not step.does:
            return
        who = step.who
        self._note_updates(who)
        if step.does == "press":
            card = await self._wait_card(who, step.text, step.item)
            listed = card["template_card"].get("button_selection")
            await self.wecom.press(who, card, step.text, item=step.item if listed else None)
        elif step.does == "press_foreign":
            await self._forged_press(who, step)
        elif step.does == "photo":
            await self.wecom.send_file(who, PHOTO, step.text, "image/jpeg", picture=True)
            self.cursor[who] = len(self.wecom.messages(who))
        else:
            await self.wecom.send_text(who, step.text)
            self.cursor[who] = len(self.wecom.messages(who))

    async def act_on(self, who: str, does: str, text: str, item: str | None = None) -> None:
        """Do one thing as `who` (a shorthand for tests outside the tables)."""
        await self.act(Step(who, does, text, item))

    async def next_text(self, who: str, containing: str) -> str:
        """Wait for a new message, or an update of a card, to `who` containing the text."""
        since = self.cursor.get(who, 0)
        seen = self.updates.get(who, {})

        def fresh(message: Message) -> bool:
            new = message["index"] > since
            updated = len(message["updates"]) > seen.get(message["msgid"], len(message["updates"]))
            return (new or updated) and containing in text_of(message)

        found = await self.wecom.wait_for_message(who, fresh, after=0, timeout=WAIT)
        self.cursor[who] = max(since, found["index"])
        self._note_updates(who)
        return text_of(found)

    async def assert_quiet(self, who: str) -> None:
        """Send a read-only probe; nothing but its answer may have come since `who` acted."""
        since = self.cursor.get(who, 0)
        before = len(self.wecom.messages(who))
        await self.wecom.send_text(who, PROBE)
        answer = await self.wecom.wait_for_message(
            who, lambda m: "2.3" in text_of(m) and m["index"] > before, after=0, timeout=WAIT
        )
        said = [
            text_of(m) for m in self.wecom.messages(who) if since < m["index"] < answer["index"]
        ]
        assert said == [], f"the bot said {said!r} to {who}"
        self.cursor[who] = answer["index"]

    def _note_updates(self, who: str) -> None:
        self.updates[who] = {m["msgid"]: len(m["updates"]) for m in self.wecom.messages(who)}

    async def _wait_card(self, who: str, label: str, item: str | None) -> Message:
        """Return the card `_card` finds, waiting for it (a text part may come before it)."""

        def ready(_: Message) -> bool:
            try:
                self._card(who, label, item)
            except AssertionError:
                return False
            return True

        with contextlib.suppress(TimeoutError):
            await self.wecom.wait_for_message(who, ready, after=0, timeout=WAIT)
        return self._card(who, label, item)

    def _card(self, who: str, label: str, item: str | None) -> Message:
        """Return the newest card to `who` with a button ending in `label` (and the item)."""
        for message in reversed(self.wecom.messages(who)):
            if message["msgtype"] != "template_card" or message.get("buttons_disabled"):
                continue
            card = message["template_card"]
            labels = [str(b.get("text", "")) for b in card.get("button_list", [])]
            options = (card.get("button_selection") or {}).get("option_list", [])
            has_item = (
                item is None
                or not options
                or any(str(o.get("text", "")).startswith(item) for o in options)
            )
            if has_item and any(text.endswith(label) for text in labels):
                return message
        raise AssertionError(f"no card with {label!r} (item {item}) for {who}")

    async def _forged_press(self, who: str, step: Step) -> None:
        """Post, as `who`, a press of a button on the card another member was sent."""
        owner = step.to or "unit"
        card = (await self._wait_card(owner, step.text, step.item))["template_card"]
        button = next(b for b in card["button_list"] if str(b["text"]).endswith(step.text))
        options = (card.get("button_selection") or {}).get("option_list", [])
        chosen = next(
            (o["id"] for o in options if step.item and str(o["text"]).startswith(step.item)),
            None,
        )
        selection = (
            "<SelectedItems><SelectedItem><QuestionKey><![CDATA[item]]></QuestionKey>"
            f"<OptionIds><OptionId><![CDATA[{chosen}]]></OptionId></OptionIds>"
            "</SelectedItem></SelectedItems>"
            if chosen
            else ""
        )
        xml = (
            f"<xml><ToUserName><![CDATA[{self.wecom.corp_id}]]></ToUserName>"
            f"<FromUserName><![CDATA[{who}]]></FromUserName><CreateTime>1656000000</CreateTime>"
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
            f"<EventKey><![CDATA[{button['key']}]]></EventKey>"
            f"<TaskId><![CDATA[{card['task_id']}]]></TaskId>"
            "<CardType><![CDATA[button_interaction]]></CardType>"
            "<ResponseCode><![CDATA[forged]]></ResponseCode>"
            f"<AgentID>{self.wecom.agent_id}</AgentID>{selection}</xml>"
        )
        await self.wecom.deliver(xml)
