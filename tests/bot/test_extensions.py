"""申请延期 in plain Chinese; leadership decides; the new date drives lights and prompts."""

from __future__ import annotations

from datetime import datetime

from tests.bot.harness import SHANGHAI, Chat, Harness, Message, text_of

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)


async def _ask_extension(harness: Harness, unit: Chat, reply: str) -> tuple[Message, Message]:
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.press(unit, prompt, "申请延期")
    question = await harness.next_message(
        unit, after=prompt["message_id"], containing="新的完成日期"
    )
    answer = await harness.say(unit, reply, reply_to=question["message_id"])
    return prompt, answer


async def test_extension_next_friday_approved_moves_lights_and_prompts(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    prompt, answer = await _ask_extension(harness, unit, "下周五，街道调整导致协议需重新审核")
    assert text_of(answer) == (
        "已提交延期申请：2.3 完成协议签署 6月30日 → 7月1日（周五），待局领导审批。"
    )
    request = await harness.next_message(lead, containing="【延期申请】")
    assert "7月1日" in text_of(request)
    assert "街道调整导致协议需重新审核" in text_of(request)
    edited = harness.emu.message(unit.id, prompt["message_id"])
    assert "📅 申请延期" in text_of(edited)

    last = harness.last_id(unit)
    query = await harness.press(lead, request, "同意")
    assert "已同意" in str((await harness.answer_of(query)).get("text"))
    outcome = await harness.next_message(unit, after=last)
    assert "同意" in text_of(outcome)
    decided = harness.emu.message(lead.id, request["message_id"])
    assert "已同意 · 6月23日 李局长" in text_of(decided)
    assert not (decided.get("reply_markup") or {}).get("inline_keyboard")

    # On the old due date's next day, 2.3 is not overdue: the approved date counts.
    before = harness.last_id(unit)
    await harness.at(datetime(2022, 7, 1, 9, 0, tzinfo=SHANGHAI))
    # That morning's reminder (waited for: the sender may still be delivering it) names it.
    reminder = await harness.next_message(unit, after=before, containing="【督办提醒】")
    assert "完成协议签署 · 7月1日截止（今天）" in text_of(reminder)
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    assert "临近 7月1日" in text_of(status)
    assert "逾期" not in text_of(status)


async def test_a_date_it_cannot_read_is_asked_again(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    _, answer = await _ask_extension(harness, unit, "等领导定")
    assert text_of(answer) == '2.3：没看懂这个日期，请写成"7月15日"或"下周五"。'
    again = await harness.say(unit, "7月15日", reply_to=answer["message_id"])
    assert "7月15日（周五）" in text_of(again)


async def test_a_past_date_is_refused(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    _, answer = await _ask_extension(harness, unit, "2022年6月1日")
    assert (
        text_of(answer) == '2.3：这个日期已经过去了，请写一个今后的日期，如"7月15日"或"下周五"。'
    )


async def test_a_date_before_the_due_date_is_no_extension(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    _, answer = await _ask_extension(harness, unit, "6月25日")
    assert text_of(answer) == "2.3：延期后的日期应晚于原定的6月30日，请重新回复新的完成日期。"


async def test_only_leadership_decides(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    await _ask_extension(harness, unit, "7月15日")
    request = await harness.next_message(lead, containing="【延期申请】")
    approve = next(
        b["callback_data"]
        for row in request["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "同意"
    )
    note = harness.emu.send(unit.id, unit.user, "占位")
    query = harness.emu.press(unit.id, note["message_id"], approve, unit.user, force=True)
    assert "只有局领导" in str((await harness.answer_of(query)).get("text"))
    status = await harness.say(lead, "/status 2.3", expect="2.3")
    assert "6月30日截止" in text_of(status)


async def test_blocked_alerts_leadership_at_once(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.press(unit, prompt, "遇到困难")
    question = await harness.next_message(unit, after=prompt["message_id"], containing="困难")
    answer = await harness.say(
        unit, "机构资质审核未通过，需协调民政局法规科", reply_to=question["message_id"]
    )
    assert "已转告局领导" in text_of(answer)
    alert = await harness.next_message(lead, containing="【需协调】")
    assert "机构资质审核未通过" in text_of(alert)


async def test_a_rejected_extension_keeps_the_old_date_and_is_decided_once(
    harness: Harness,
) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    await _ask_extension(harness, unit, "7月15日")
    request = await harness.next_message(lead, containing="【延期申请】")
    last = harness.last_id(unit)
    reject = next(
        b["callback_data"]
        for row in request["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "不同意"
    )
    query = await harness.press(lead, request, "不同意")
    assert "未同意" in str((await harness.answer_of(query)).get("text"))
    outcome = await harness.next_message(unit, after=last, containing="【延期审批】")
    assert "局领导未同意延期，请按原时限推进。" in text_of(outcome)
    again = harness.emu.press(lead.id, request["message_id"], reject, lead.user, force=True)
    assert "已经处理过了" in str((await harness.answer_of(again)).get("text"))
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    assert "6月30日截止" in text_of(status)
