"""The 09:00 prompt arrives, a tap asks for what is needed, the reply is recorded and shown."""

from __future__ import annotations

from datetime import datetime

from tests.bot.harness import SHANGHAI, Chat, Harness, Message, buttons_of, text_of

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)


async def test_prompt_in_progress_note_then_status_shows_it(any_harness: Harness) -> None:
    harness = any_harness
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    assert "2.3" in text_of(prompt)
    assert any(b["text"].startswith("2.3 ") for b in buttons_of(prompt))
    query = await harness.press(unit, prompt, "进行中")
    question = await harness.next_message(unit, after=prompt["message_id"], containing="百分比")
    assert (await harness.answer_of(query)) is not None
    reply = await harness.say(
        unit, "60% 已与3家养老机构完成洽谈", reply_to=question["message_id"], expect="已记录"
    )
    assert text_of(reply) == "收到，已记录 2.3 进展（进行中）。"
    edited = await _edited(harness, unit, prompt, "2.3 🔄")
    assert "2.3 🔄 进行中 · 6月23日 王科长已更新" in text_of(edited)
    assert not any(
        b["callback_data"].split(":")[1] == prompt_item(prompt) for b in buttons_of(edited)
    )
    status = await harness.say(unit, "/status", expect="社救科")
    assert '进行中 60% "已与3家养老机构完成洽谈"（6月23日）' in text_of(status)


async def _edited(harness: Harness, chat: Chat, prompt: Message, mark: str) -> Message:
    """Wait until the prompt shows an answer (it is tidied right after the confirmation)."""
    return await harness.emu.wait_for_bot_message(
        chat.id,
        lambda m: m["message_id"] == prompt["message_id"] and mark in text_of(m),
        after=prompt["message_id"] - 1,
        timeout=10,
    )


def prompt_item(prompt: dict[str, object]) -> str:
    """Return the item id of the first row's buttons."""
    return buttons_of(prompt)[0]["callback_data"].split(":")[1]


async def test_a_button_pressed_in_another_chat_records_nothing(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    other = await harness.bound("社区科工作群", "赵科长", "社区科")
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    data = buttons_of(prompt)[1]["callback_data"]
    foreign = harness.emu.send(other.id, other.user, "占位")
    query = harness.emu.press(other.id, foreign["message_id"], data, other.user, force=True)
    answer = await harness.answer_of(query)
    assert "不属于本会话的科室" in str(answer.get("text"))
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    assert "尚无进展记录" in text_of(status)


async def test_a_forged_button_records_nothing(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    note = harness.emu.send(unit.id, unit.user, "占位")
    for data in ["a:999:done", "x:1:yes", "hello"]:
        query = harness.emu.press(unit.id, note["message_id"], data, unit.user, force=True)
        answer = await harness.answer_of(query)
        assert "未作记录" in str(answer.get("text")) or "局领导" in str(answer.get("text"))
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    assert "尚无进展记录" in text_of(status)


async def test_a_reply_to_the_prompt_counts_as_a_note(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    item_ids = [b["text"].split()[0] for b in buttons_of(prompt) if b["text"][0].isdigit()]
    task = item_ids[0]
    reply = await harness.say(
        unit, f"{task} 已与街道对接", reply_to=prompt["message_id"], expect="已记录"
    )
    assert f"已记录 {task} 进展（进行中）" in text_of(reply)
    history = await harness.say(unit, f"/history {task}", expect=task)
    assert '"已与街道对接"' in text_of(history)


async def test_done_then_a_photo_is_kept_as_evidence(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.press(unit, prompt, "已完成")
    follow_up = await harness.next_message(unit, after=prompt["message_id"], containing="佐证")
    photo = harness.emu.send_photo(unit.id, unit.user, reply_to_message_id=follow_up["message_id"])
    saved = await harness.next_message(unit, after=photo["message_id"], containing="佐证保存")
    task = text_of(saved).split()[1]
    history = await harness.say(unit, f"/history {task}", expect=task)
    assert "已完成" in text_of(history)
    assert "附件1个" in text_of(history)


async def test_a_question_still_takes_its_answer_after_a_restart(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.press(unit, prompt, "遇到困难")
    question = await harness.next_message(unit, after=prompt["message_id"], containing="困难")
    await harness.stop()
    await harness.start()
    reply = await harness.say(unit, "场地未落实", reply_to=question["message_id"])
    assert text_of(reply) == "已记录 2.3 遇到困难，已转告局领导协调。"
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    assert '遇到困难 "场地未落实"' in text_of(status)


async def test_a_reply_to_a_prompt_with_several_items_asks_which_one(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    first = await harness.next_message(unit, containing="【督办提醒】")
    await harness.at(datetime(2022, 6, 24, 9, 0, tzinfo=SHANGHAI))
    prompt = await harness.next_message(unit, after=first["message_id"], containing="【督办提醒】")
    rows = prompt["reply_markup"]["inline_keyboard"]
    assert len(rows) >= 3
    assert all(len(row) in (3, 4) and row[0]["text"].split()[0][0].isdigit() for row in rows)
    # Check-ins (ongoing work, no deadline) cannot be extended: no 申请延期 on their rows.
    assert any(len(row) == 3 and "申请延期" not in str(row) for row in rows)
    items = [row[0]["text"].split()[0] for row in rows]

    which = await harness.say(unit, "已部署", reply_to=prompt["message_id"])
    assert text_of(which) == "这条提醒有多项任务，请点选这句说明属于哪一项："
    assert [b["text"] for b in buttons_of(which)] == items
    await harness.press(unit, which, "2.2", row=items.index("2.2"))
    recorded = await harness.next_message(unit, after=which["message_id"], containing="已记录")
    assert text_of(recorded) == "收到，已记录 2.2 进展（进行中）。"

    named = await harness.say(unit, "2.5 已对接慈善会", reply_to=prompt["message_id"])
    assert text_of(named) == "收到，已记录 2.5 进展（进行中）。"
    edited = await _edited(harness, unit, prompt, "2.5 🔄")
    assert "2.2 🔄 进行中" in text_of(edited)
    assert "2.5 🔄 进行中" in text_of(edited)
    assert text_of(edited).endswith("请点选当前进展：")
    remaining = edited["reply_markup"]["inline_keyboard"]
    assert len(remaining) == len(rows) - 2
    assert not any(row[0]["text"].split()[0] in ("2.2", "2.5") for row in remaining)
    history = await harness.say(unit, "/history 2.2", expect="2.2")
    assert '"已部署"' in text_of(history)
