"""Strangers learn only how to bind; an invite binds a chat once."""

from __future__ import annotations

import pytest

from tests.bot.harness import Harness, text_of

HOW_TO_BIND = "请向综合办索取邀请码"


@pytest.mark.parametrize(
    "command",
    [
        "/start",
        "/help",
        "/status",
        "/status 社救科",
        "/status 2.3",
        "/tasks",
        "/upcoming",
        "/overdue",
        "/history 2.3",
        "/report 2.3 已签约",
        "/digest",
        "/export",
        "/whatever",
    ],
)
async def test_a_stranger_learns_only_how_to_bind(harness: Harness, command: str) -> None:
    stranger = harness.private("路人")
    reply = await harness.say(stranger, command)
    assert HOW_TO_BIND in text_of(reply)
    assert "2.3" not in text_of(reply)
    assert "社救科" not in text_of(reply)


async def test_bind_with_an_invite_then_the_code_is_spent(harness: Harness) -> None:
    code = await harness.invite("社救科")
    first = harness.group("社救科工作群", "王科长")
    second = harness.group("别的群", "张三")
    dialogue = [
        (first, f"/bind {code}", "已绑定：社救科。此后本群将收到社救科的督办提醒。"),
        (second, f"/bind {code}", "邀请码无效或已过期，请向综合办重新索取。"),
        (second, "/bind NOPE-NOPE", "邀请码无效或已过期"),
        (first, "/help", "/status"),
        (first, "/unbind", "已解除与社救科的绑定"),
        (first, "/status", HOW_TO_BIND),
    ]
    for chat, said, expected in dialogue:
        reply = await harness.say(chat, said)
        assert expected in text_of(reply), (said, text_of(reply))


async def test_leadership_binds_and_sees_the_bureau(harness: Harness) -> None:
    lead = await harness.bound("局领导群", "李局长", None)
    reply = await harness.say(lead, "/status")
    assert text_of(reply).startswith("全局 66 项")
    assert "社救科" in text_of(reply)


async def test_commands_are_registered_for_the_menu(harness: Harness) -> None:
    calls = harness.emu.calls_of("setMyCommands")
    assert calls
    assert "status" in str(calls[-1].params)


async def test_a_group_that_adds_the_bot_is_told_how_to_bind(harness: Harness) -> None:
    group = harness.group("社区科工作群", "赵科长")
    harness.emu.remove_bot(group.id, by=group.user)
    last = harness.last_id(group)
    harness.emu.restore_bot(group.id, by=group.user)
    greeting = await harness.next_message(group, after=last)
    assert HOW_TO_BIND in text_of(greeting)
