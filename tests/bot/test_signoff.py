"""Sign-off and 催办 over Telegram: the card as leadership sees it, edits, stale presses,
buttons only leadership gets, and a bureau that works without sign-off."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.bot.harness import SHANGHAI, WAIT, Chat, Harness, Message, buttons_of, text_of

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)
FRIDAY = datetime(2022, 6, 24, 9, 0, tzinfo=SHANGHAI)


async def _edited(harness: Harness, chat: Chat, message_id: int, containing: str) -> Message:
    """Wait until the bot has edited a message to contain the text; return it."""

    def probe() -> Message | None:
        message = harness.emu.message(chat.id, message_id)
        return message if containing in text_of(message) else None

    found = await harness.emu.state.wait_for(probe, WAIT)
    assert found is not None, text_of(harness.emu.message(chat.id, message_id))
    return found


def _rows(message: Message) -> list[list[str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [[b["text"] for b in row] for row in rows]


async def test_review_card_shows_who_settled_each_item_and_refuses_a_stale_press(
    harness: Harness,
) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    other = await harness.bound("社会事务科工作群", "张科长", "社会事务科")
    lead = await harness.bound("局领导群", "李局长", None)
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    # The press's own follow-up first, so that the next "2.3" is the answer to /status.
    await harness.next_message(unit, after=prompt["message_id"], containing="如需补充")
    await harness.say(other, "/report 3.2 已完成 日照中心已建成", expect="已记录 3.2 已完成")
    status = await harness.say(unit, "/status 2.3", expect="2.3")
    assert "🟢 社救科 · 待验收 · 已完成" in text_of(status)

    await harness.at(FRIDAY)
    card = await harness.next_message(lead, containing="【办结审核】")
    assert text_of(card).startswith("【办结审核】6月24日（周五） · 待验收 2项")
    assert "6月23日 张科长报告已完成：“日照中心已建成”" in text_of(card)
    assert _rows(card) == [["2.3 通过", "退回"], ["3.2 通过", "退回"]]
    stale_pass = buttons_of(card)[0]["callback_data"]

    await harness.press(lead, card, "退回", row=0)
    question = await harness.next_message(lead, after=card["message_id"], containing="退回原因")
    last_unit = harness.last_id(unit)
    said = await harness.say(lead, "照片不清晰，请补充验收材料", reply_to=question["message_id"])
    assert text_of(said) == (
        "已退回 社救科 2.3：照片不清晰，请补充验收材料。已告知科室，督办提醒恢复。"
    )
    told = await harness.next_message(unit, after=last_unit, containing="【办结退回】")
    assert "已退回：照片不清晰，请补充验收材料（6月24日 李局长）" in text_of(told)
    edited = await _edited(
        harness,
        lead,
        card["message_id"],
        "2.3 已退回：照片不清晰，请补充验收材料 · 6月24日 李局长",
    )
    assert _rows(edited) == [["3.2 通过", "退回"]]  # what still waits keeps its buttons

    query = await harness.press(lead, edited, "通过")
    assert "已通过 社会事务科 3.2" in str((await harness.answer_of(query)).get("text"))
    done = await _edited(harness, lead, card["message_id"], "3.2 已通过 · 6月24日 李局长")
    assert "请逐项点" not in text_of(done)
    assert _rows(done) == []

    # The old 通过 of 2.3, pressed after it was returned, changes nothing.
    query = harness.emu.press(lead.id, card["message_id"], stale_pass, lead.user, force=True)
    toast = str((await harness.answer_of(query)).get("text"))
    assert toast == "社救科 2.3 已由李局长退回，未作改动。"
    status = await harness.say(lead, "/status 社救科", expect="社救科 ·")
    assert "🟡 2.3 创新社会救助方式 · 临近 6月30日" in text_of(status)


async def test_a_bureau_without_signoff_closes_a_done_at_once(
    harness: Harness, tmp_path: Path
) -> None:
    policy = tmp_path / "duban.toml"
    policy.write_text("signoff = false\n", encoding="utf-8")
    await harness.stop()
    harness.core_overrides["policy_file"] = policy
    await harness.start()
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    status = await harness.say(unit, "/status 社救科", expect="社救科 ·")
    assert "✅ 2.3 创新社会救助方式 · 办结" in text_of(status)
    assert "待验收" not in text_of(status)
    await harness.at(FRIDAY)
    await harness.say(lead, "/status 2.3", expect="2.3")
    assert not any("【办结审核】" in t for t in harness.bot_texts(lead))


async def test_overdue_offers_urge_buttons_to_leadership_alone(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    mine = await harness.say(unit, "/overdue", expect="逾期")
    assert buttons_of(mine) == []
    listed = await harness.say(lead, "/overdue", expect="逾期")
    labels = [b["text"] for b in buttons_of(listed)]
    assert "2.1 社救科 催办" in labels
    assert all(label.endswith(" 催办") for label in labels)

    last = harness.last_id(unit)
    row = labels.index("2.1 社救科 催办")
    query = await harness.press(lead, listed, "催办", row=row)
    assert "已向社救科发出催办：2.1" in str((await harness.answer_of(query)).get("text"))
    urged = await harness.next_message(unit, after=last, containing="【局领导催办】")
    assert "李局长催办以下事项，请尽快报送进展。" in text_of(urged)
    assert "节点：印发文件 · 1月31日截止（已逾期" in text_of(urged)
    assert _rows(urged)[0][0] == "2.1 ✅ 已完成"


async def test_urging_a_unit_without_a_chat_is_refused(harness: Harness) -> None:
    lead = await harness.bound("局领导群", "李局长", None)
    listed = await harness.say(lead, "/status 社救科", expect="社救科 ·")
    assert _rows(listed) == [["2.1 催办"], ["2.3 催办"]]  # 🔴 first, then 🟡
    query = await harness.press(lead, listed, "催办", row=1)
    toast = str((await harness.answer_of(query)).get("text"))
    assert toast == "社救科尚未绑定会话，无法催办。"


async def test_a_press_on_a_withdrawn_report_changes_nothing(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.answer_of(await harness.press(unit, prompt, "已完成"))
    await harness.at(FRIDAY)
    card = await harness.next_message(lead, containing="【办结审核】")
    await harness.say(unit, "/withdraw 2.3", expect="已撤回 2.3 的已完成")
    query = await harness.press(lead, card, "通过")
    toast = str((await harness.answer_of(query)).get("text"))
    assert toast == "社救科已撤回 2.3 的已完成，无需审核，未作改动。"
    status = await harness.say(lead, "/status 社救科", expect="社救科 ·")
    assert "🟡 2.3 创新社会救助方式 · 临近 6月30日" in text_of(status)
    assert "待验收" not in text_of(status)
