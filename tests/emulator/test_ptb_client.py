"""A real python-telegram-bot client against the emulator: what the bot under test will see."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from emulator import Emulator
from emulator.model import Chat, User

BUTTONS = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("已完成", callback_data="d:1"),
            InlineKeyboardButton("进行中", callback_data="p:1"),
        ]
    ]
)


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.username, me.is_bot, me.can_read_all_group_messages) == (
        "duban_test_bot",
        True,
        False,
    )


async def test_send_edit_and_press_round_trip(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    prompt = await bot.send_message(
        group.id, "<b>1.1</b> 完成摸底", parse_mode="HTML", reply_markup=BUTTONS
    )
    assert prompt.text == "1.1 完成摸底"
    assert prompt.entities == (MessageEntity(MessageEntity.BOLD, 0, 3),)
    query_id = emu.press(group.id, prompt.message_id, "p:1", head)
    (update,) = await bot.get_updates(timeout=5)
    assert update.callback_query is not None
    assert (update.callback_query.data, update.callback_query.from_user.id) == ("p:1", head.id)
    await update.callback_query.answer("请回复进展")
    assert emu.callback_answer(query_id) == {
        "text": "请回复进展",
        "show_alert": False,
        "url": None,
        "cache_time": 0,
    }
    edited = await bot.edit_message_text("1.1 完成摸底 — 进行中", group.id, prompt.message_id)
    assert isinstance(edited, Message)
    assert edited.reply_markup is None  # no markup given: Telegram drops the keyboard
    (now,) = emu.bot_messages(group.id)
    assert (now["text"], "reply_markup" in now) == ("1.1 完成摸底 — 进行中", False)


async def test_command_with_chinese_argument_has_a_bot_command_entity(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    emu.send(group.id, head, "/status 社区科")
    (update,) = await bot.get_updates(timeout=5)
    message = update.message
    assert message is not None
    assert message.text == "/status 社区科"
    assert message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 7),)
    assert message.parse_entities([MessageEntity.BOT_COMMAND]) == {message.entities[0]: "/status"}
    assert message.chat.title == "社区科"
    assert message.date.tzinfo is not None


async def test_rate_limit_surfaces_as_retry_after(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    _, group = people
    emu.send(group.id, people[0], "/start")
    emu.fail("sendMessage", times=2, kind="429", retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(group.id, "提醒")
        assert raised.value.retry_after == dt.timedelta(seconds=7)
    assert (await bot.send_message(group.id, "提醒")).text == "提醒"
    assert [c.error_code for c in emu.calls_of("sendMessage")] == [429, 429, None]


async def test_server_error_surfaces_as_network_error(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    emu.fail(None, times=1, kind="500")
    with pytest.raises(NetworkError):
        await bot.send_message(people[1].id, "提醒")


async def test_editing_an_unknown_message_is_bad_request(
    bot: Bot, people: tuple[User, Chat]
) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", people[1].id, 999)


async def test_editing_to_the_same_content_is_not_modified(
    bot: Bot, people: tuple[User, Chat]
) -> None:
    sent = await bot.send_message(people[1].id, "提醒", reply_markup=BUTTONS)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("提醒", people[1].id, sent.message_id, reply_markup=BUTTONS)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(people[1].id, sent.message_id, reply_markup=BUTTONS)


async def test_callback_data_over_64_bytes_is_refused(bot: Bot, people: tuple[User, Chat]) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("延期", callback_data="延" * 22)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(people[1].id, "提醒", reply_markup=too_long)


async def test_text_over_4096_characters_and_empty_text_are_refused(
    bot: Bot, people: tuple[User, Chat]
) -> None:
    await bot.send_message(people[1].id, "督" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(people[1].id, "督" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(people[1].id, "  ")


async def test_chat_the_bot_was_removed_from_is_forbidden(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    emu.remove_bot(group.id, by=head)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "提醒")
    (update,) = await bot.get_updates(timeout=5)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_user_photo_can_be_downloaded_by_the_bot(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    prompt = await bot.send_message(group.id, "请上传佐证")
    emu.send_photo(
        group.id, head, b"\xff\xd8photo", caption="现场照片", reply_to_message_id=prompt.message_id
    )
    (update,) = await bot.get_updates(timeout=5)
    assert update.message is not None
    assert update.message.caption == "现场照片"
    file = await update.message.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8photo"


async def test_commands_menu_round_trip(bot: Bot) -> None:
    await bot.set_my_commands([("status", "查看进度"), ("tasks", "本单位任务")])
    assert [c.command for c in await bot.get_my_commands()] == ["status", "tasks"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Status!", "坏命令")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_bot_document_upload_keeps_a_chinese_file_name(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    sent = await bot.send_document(
        people[1].id, b"PK\x03\x04", filename="督办周报.docx", caption="第3周"
    )
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.file_size, sent.caption) == (
        "督办周报.docx",
        4,
        "第3周",
    )
    (call,) = emu.calls_of("sendDocument")
    assert call.params["document"] == {"filename": "督办周报.docx", "size": 4}
