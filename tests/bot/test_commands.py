"""Commands of a bound chat, read as dialogue: what is typed, what the bot says back."""

from __future__ import annotations

from datetime import datetime

from tests.bot.harness import SHANGHAI, Harness, text_of

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)


async def test_unit_chat_dialogue(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    dialogue = [
        ("/status", "社救科 · 11项 · 截至6月23日"),
        ("/status 社保科", '没有找到"社保科"，您是不是要找"社救科"？'),
        ("/status 社区", "社区科 · 15项"),
        ("/status 9.9", "没有找到任务 9.9"),
        ("/tasks", "社救科 · 共11项"),
        ("/upcoming", "未来14天到期 · 1项"),
        ("/upcoming 7", "2.3 创新社会救助方式 · 6月30日（周四）（还有7天）"),
        ("/upcoming 一周", "请写天数"),
        ("/overdue", "🔴 2.1 构建综合救助格局 · 1月31日截止 · 逾期143天"),
        ("/report 2.3 60% 已签约3家", "收到，已记录 2.3 进展（进行中）。"),
        ("/report 3.1 已签约", "3.1 不是社救科的任务，责任科室是社会事务科。"),
        ("/report 2.3", "收到，已记录 2.3 进展（进行中）。"),
        ("/report", "请写任务编号和进展"),
        ("/report 2.4 已完成 培训已办", "已记录 2.4 已完成。"),
        ("/history 2.3", '进行中 60% "已签约3家"'),
        ("/history", "请写任务编号"),
        ("/digest", "督办周报和台账只发给局领导。"),
    ]
    for said, expected in dialogue:
        reply = await harness.say(unit, said)
        assert expected in text_of(reply), (said, text_of(reply))


async def test_leadership_dialogue(harness: Harness) -> None:
    lead = await harness.bound("局领导群", "李局长", None)
    dialogue = [
        ("/status", "全局 66 项 · 截至6月23日"),
        ("/status 社救", "社救科 · 11项"),
        ("/status 2.5", "责任科室：社救科、社区科"),
        ("/overdue", "🔴 社救科 2.1 构建综合救助格局"),
        ("/report 2.3 已签约", "局领导会话不报告进展"),
        ("/help", "/digest"),
    ]
    for said, expected in dialogue:
        reply = await harness.say(lead, said)
        assert expected in text_of(reply), (said, text_of(reply))


async def test_leadership_gets_the_digest_with_its_chart_and_the_ledger(harness: Harness) -> None:
    lead = await harness.bound("局领导群", "李局长", None)
    digest = await harness.say(lead, "/digest", expect="【督办周报】")
    chart = await harness.next_message(lead, after=digest["message_id"], containing="进展图")
    assert chart.get("photo")
    ledger = await harness.say(lead, "/export", expect="督办台账")
    assert ledger["document"]["file_name"] == "督办台账.xlsx"
    assert "66项" in text_of(ledger)


async def test_unknown_commands_are_answered_in_private_and_ignored_in_groups(
    harness: Harness,
) -> None:
    group = await harness.bound("社救科工作群", "王科长", "社救科")
    private = harness.private("张科员")
    await harness.say(private, f"/bind {await harness.invite('社救科')}", expect="已绑定")
    reply = await harness.say(private, "/nonsense")
    assert text_of(reply) == "没有这个命令，发送 /help 查看可用命令。"
    harness.emu.send(group.id, group.user, "/poll")  # another bot's command
    reply = await harness.say(group, "/help")
    assert "/status" in text_of(reply)
    assert not any("没有这个命令" in t for t in harness.bot_texts(group))


async def test_report_blocked_alerts_leadership(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lead = await harness.bound("局领导群", "李局长", None)
    await harness.at(NINE)
    reply = await harness.say(unit, "/report 2.3 遇到困难 机构资质待审")
    assert text_of(reply) == "已记录 2.3 遇到困难，已转告局领导协调。"
    alert = await harness.next_message(lead, containing="【需协调】")
    assert "机构资质待审" in text_of(alert)


async def test_an_edited_report_is_not_a_second_report(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    sent = harness.emu.send(unit.id, unit.user, "/report 2.3 已签约3家")
    await harness.next_message(unit, after=sent["message_id"], containing="已记录")
    edited = {**sent, "text": "/report 2.3 已签约4家", "edit_date": sent["date"] + 60}
    harness.emu.state.queue_update("edited_message", edited)
    history = await harness.say(unit, "/history 2.3", expect="共")
    assert "共1条记录" in text_of(history)
    assert "4家" not in text_of(history)
