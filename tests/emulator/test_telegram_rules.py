"""Telegram behaviours the bot must cope with: privacy mode, buttons, replies, formatting."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from emulator import Emulator
from emulator.errors import ControlError
from emulator.model import Chat, User


async def test_group_privacy_hides_plain_text_but_not_commands_or_replies(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    prompt = await bot.send_message(group.id, "请回复进展")
    emu.send(group.id, head, "大家好")
    emu.send(group.id, head, "/status@other_bot")
    emu.send(group.id, head, "/status@duban_test_bot")
    emu.send(group.id, head, "已签约3家", reply_to_message_id=prompt.message_id)
    emu.send(group.id, head, "@duban_test_bot 在吗")
    updates = await bot.get_updates(timeout=5)
    texts = [u.message.text for u in updates if u.message]
    assert texts == ["/status@duban_test_bot", "已签约3家", "@duban_test_bot 在吗"]
    assert [m["text"] for m in emu.messages(group.id)][1:3] == ["大家好", "/status@other_bot"]


async def test_without_privacy_mode_the_bot_sees_every_group_message() -> None:
    async with Emulator.running(privacy_mode=False) as emu:
        head = emu.add_user("王科长")
        group = emu.add_group("社区科")
        emu.send(group.id, head, "大家好")
        assert [u["message"]["text"] for u in emu.pending_updates] == ["大家好"]


async def test_pressing_a_missing_button_is_refused_unless_forged(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("已完成", callback_data="d:1")]])
    prompt = await bot.send_message(group.id, "1.1", reply_markup=keyboard)
    with pytest.raises(ControlError, match="no button"):
        emu.press(group.id, prompt.message_id, "d:2", head)
    emu.press(group.id, prompt.message_id, "d:2", head, force=True)
    (update,) = await bot.get_updates(timeout=5)
    assert update.callback_query is not None
    assert update.callback_query.data == "d:2"


async def test_callback_query_can_be_answered_once(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("已完成", callback_data="d:1")]])
    prompt = await bot.send_message(group.id, "1.1", reply_markup=keyboard)
    query_id = emu.press(group.id, prompt.message_id, "d:1", head)
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_private_chat_needs_the_user_to_start_it(emu: Emulator, bot: Bot) -> None:
    leader = emu.add_user("李局长")
    chat = emu.add_private_chat(leader)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(chat.id, "你好")
    emu.send(chat.id, leader, "/start")
    assert (await bot.send_message(chat.id, "你好")).chat.first_name == "李局长"


async def test_reply_to_a_missing_message_is_refused(bot: Bot, people: tuple[User, Chat]) -> None:
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(people[1].id, "收到", reply_to_message_id=77)
    sent = await bot.send_message(
        people[1].id, "收到", reply_to_message_id=77, allow_sending_without_reply=True
    )
    assert sent.reply_to_message is None


async def test_unescaped_html_is_refused_like_telegram(
    bot: Bot, people: tuple[User, Chat]
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(people[1].id, "进度 <60%> 已签约", parse_mode="HTML")
    sent = await bot.send_message(people[1].id, "进度 &lt;60%&gt;", parse_mode="HTML")
    assert sent.text == "进度 <60%>"


async def test_message_ids_increase_per_chat(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    other = emu.add_group("规划科")
    first = emu.send(group.id, head, "/start")
    assert first["message_id"] == 1
    assert (await bot.send_message(group.id, "a")).message_id == 2
    assert (await bot.send_message(other.id, "b")).message_id == 1
