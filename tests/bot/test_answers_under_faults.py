"""What a person hears is true: "recorded" only after the commit, "not recorded, try again"
once when the ledger is away, nothing that contradicts a confirmation, one entry for many taps,
and invite codes that cannot be guessed quickly."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from bot import render
from storage.progress import count_entries
from tests.bot.harness import SHANGHAI, Chat, Harness, Message, buttons_of, text_of
from tests.core.dbfaults import DatabaseFaults

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)


def inserts_entry(sql: str) -> bool:
    """Return whether a statement records a progress entry."""
    return sql.startswith("INSERT INTO progress_entries")


async def _prompted(harness: Harness) -> tuple[Chat, Message]:
    unit = await harness.bound("社救科工作群", "王科长", "社救科", sees_all=True)
    await harness.at(NINE)
    return unit, await harness.next_message(unit, containing="【督办提醒】")


async def _entries(harness: Harness) -> int:
    async with harness.core.db.session() as session:
        return await count_entries(session)


def _after(harness: Harness, chat: Chat, message_id: int) -> list[str]:
    return [text_of(m) for m in harness.emu.bot_messages(chat.id) if m["message_id"] > message_id]


async def test_a_press_while_the_ledger_is_away_is_not_recorded_and_says_so_once(
    harness: Harness,
) -> None:
    unit, prompt = await _prompted(harness)
    faults = DatabaseFaults(harness.core.db)
    faults.fail(inserts_entry, times=100)
    answer = await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    assert answer["text"] == render.NOT_RECORDED
    assert await _entries(harness) == 0
    # The button stays: pressing it again once the ledger is back records it.
    now = harness.emu.message(unit.id, prompt["message_id"])
    assert buttons_of(now) == buttons_of(prompt)
    faults.up()
    again = await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    assert again["text"] == "已记录 2.3 已完成。"
    assert await _entries(harness) == 1
    assert not [t for t in _after(harness, unit, prompt["message_id"]) if "抱歉" in t]


async def test_a_blip_during_a_press_is_ridden_out(harness: Harness) -> None:
    unit, prompt = await _prompted(harness)
    DatabaseFaults(harness.core.db).fail(inserts_entry, times=2)
    answer = await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    assert answer["text"] == "已记录 2.3 已完成。"
    assert await _entries(harness) == 1


async def test_a_failure_after_recording_never_contradicts_the_confirmation(
    harness: Harness,
) -> None:
    unit, prompt = await _prompted(harness)
    # The entry commits; asking for evidence afterwards cannot be stored.
    DatabaseFaults(harness.core.db).fail(
        lambda sql: sql.startswith("INSERT INTO pending_questions"), times=100
    )
    answer = await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    assert answer["text"] == "已记录 2.3 已完成。"
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    said = _after(harness, unit, prompt["message_id"])
    assert said[-1] == text_of(status)
    assert not [t for t in said if "抱歉" in t or "未记录" in t]
    assert await _entries(harness) == 1


async def test_a_blocked_note_is_confirmed_even_when_the_prompt_cannot_be_tidied(
    harness: Harness,
) -> None:
    unit, prompt = await _prompted(harness)
    await harness.press(unit, prompt, "遇到困难")
    question = await harness.next_message(unit, after=prompt["message_id"], containing="困难")
    # Once the note is stored, reading the prompt back to edit it fails.
    faults = DatabaseFaults(harness.core.db)
    faults.fail(lambda sql: "FROM outbox_items" in sql, times=100)
    sent = harness.emu.send(unit.id, unit.user, "场地未落实", question["message_id"])
    reply = await harness.next_message(unit, after=sent["message_id"])
    assert text_of(reply) == "已记录 2.3 遇到困难，已转告局领导协调。"
    # The ledger recovers (the status view reads prompts too): the note is there, once.
    faults.up()
    status = await harness.say(unit, "/history 2.3", expect="2.3")
    said = _after(harness, unit, sent["message_id"])
    assert said == [text_of(reply), text_of(status)]
    assert await _entries(harness) == 1


async def test_five_taps_on_one_button_record_once(harness: Harness) -> None:
    unit, prompt = await _prompted(harness)
    data = next(b["callback_data"] for b in buttons_of(prompt) if "已完成" in b["text"])
    queries = [
        harness.emu.press(unit.id, prompt["message_id"], data, unit.user, force=True)
        for _ in range(5)
    ]
    answers = [await harness.answer_of(q) for q in queries]
    assert {a["text"] for a in answers} == {"已记录 2.3 已完成。"}
    await harness.say(unit, "/status 2.3", expect="2.3")
    assert await _entries(harness) == 1
    asked = [t for t in harness.bot_texts(unit) if t.startswith("已记录 2.3 已完成。如需补充")]
    assert len(asked) == 1


async def test_guessing_invite_codes_is_slow_and_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core")
    stranger = harness.private("路人")
    for n in range(20):
        harness.emu.send(stranger.id, stranger.user, f"/bind GUESS-{n:04d}")
    probe = harness.emu.send(stranger.id, stranger.user, "/start")
    await harness.next_message(stranger, after=probe["message_id"], containing="尚未绑定")
    said = harness.bot_texts(stranger)
    assert said.count(render.INVALID_INVITE) == 5
    assert len([t for t in said if "尝试次数过多" in t]) == 1
    assert len(said) == 5 + 1 + 1  # five refusals, one cool-down, the /start
    # A right code does not help while the chat cools down.
    code = await harness.invite("社救科")
    sent = harness.emu.send(stranger.id, stranger.user, f"/bind {code}")
    probe = harness.emu.send(stranger.id, stranger.user, "/start")
    await harness.next_message(stranger, after=probe["message_id"], containing="尚未绑定")
    later = [text_of(m) for m in harness.emu.bot_messages(stranger.id)]
    assert later[len(said) :] == [render.HOW_TO_BIND]
    assert sent["message_id"] > 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2  # the chat and the person each cool down, once
    wrong = [r for r in caplog.records if r.getMessage().startswith("wrong invite code")]
    assert [r.levelname for r in wrong] == ["INFO"] * 5


async def test_an_answer_sent_again_is_confirmed_again_and_recorded_once(
    harness: Harness,
) -> None:
    """A restart can cut a confirmation off after the commit: the person sends the answer
    again, and hears it was recorded, once."""
    unit, prompt = await _prompted(harness)
    await harness.press(unit, prompt, "进行中")
    question = await harness.next_message(unit, after=prompt["message_id"], containing="进展")
    first = await harness.say(unit, "60% 已洽谈", reply_to=question["message_id"])
    again = await harness.say(unit, "60% 已洽谈", reply_to=question["message_id"])
    assert text_of(first) == text_of(again) == "收到，已记录 2.3 进展（进行中）。"
    other = harness.emu.send(unit.id, unit.user, "另一句", question["message_id"])
    await harness.say(unit, "/status 2.3", expect="2.3")
    assert _after(harness, unit, other["message_id"])[0].startswith("2.3")
    assert await _entries(harness) == 1
