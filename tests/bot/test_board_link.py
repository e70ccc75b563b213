"""看板 in chat: a single-use login link to the web board, sent to the person privately."""

from __future__ import annotations

import re

from storage.web_access import check_link
from tests.bot.harness import Harness, text_of

LINK = re.compile(r"http://board\.example\.org/login\?t=(\S+)")


async def test_a_leader_gets_the_link_privately_after_starting_a_chat(harness: Harness) -> None:
    await harness.stop()
    harness.core_overrides = {"board_url": "http://board.example.org"}
    await harness.start()
    # The bot sees every message (an admin): 看板 without the slash reaches it.
    lead = await harness.bound("局领导群", "李局长", None, sees_all=True)
    said = await harness.say(lead, "看板")
    assert "请先私聊督办助手发送 /start" in text_of(said)
    assert "login?t=" not in text_of(said)
    private = harness.emu.add_private_chat(lead.user)
    harness.emu.send(private.id, lead.user, "/start")
    await harness.emu.wait_for_bot_message(private.id, timeout=10)
    said = await harness.say(lead, "/看板")
    assert text_of(said) == "看板登录链接已私信发给李局长。"
    link = await harness.emu.wait_for_bot_message(
        private.id, lambda m: "login?t=" in (m.get("text") or ""), timeout=10
    )
    assert "全局看板登录链接" in link["text"]
    token = LINK.search(link["text"])
    assert token is not None
    async with harness.core.db.session() as session:
        access = await check_link(session, token.group(1), harness.clock.now())
    assert access.unit is None


async def test_a_unit_gets_a_link_to_its_own_pages(harness: Harness) -> None:
    await harness.stop()
    harness.core_overrides = {"board_url": "http://board.example.org"}
    await harness.start()
    person = harness.private("王科长")
    await harness.say(person, f"/bind {await harness.invite('社救科')}", expect="已绑定")
    said = await harness.say(person, "看板")
    assert "社救科看板登录链接" in text_of(said)
    token = LINK.search(text_of(said))
    assert token is not None
    async with harness.core.db.session() as session:
        access = await check_link(session, token.group(1), harness.clock.now())
    assert access.unit == "社救科"

