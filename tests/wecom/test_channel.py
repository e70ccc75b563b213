"""WeComChannel and WeComRobot over real HTTP: send, press, edit once, attachments, errors."""

from __future__ import annotations

import pytest

from bot.wecom.api import WeComApi, WeComUndeliverable
from bot.wecom.cards import card_ref, press_from_event
from bot.wecom.channel import WeComChannel, WeComRobot
from bot.wecom.events import CardEvent
from core.buttons import Press
from core.channel import Attachment, Channel, OutgoingMessage, TryLater, Undeliverable
from emulator.wecom import ControlError, WeComEmulator
from tests.wecom.conftest import CallbackServer
from tests.wecom.prompts import extension_request, prompt, single_prompt


@pytest.fixture
def channel(api: WeComApi) -> WeComChannel:
    return WeComChannel(api)


def test_channel_and_robot_satisfy_the_core_protocol(api: WeComApi) -> None:
    channels: list[Channel] = [WeComChannel(api), WeComRobot(api)]
    assert [c.name for c in channels] == ["wecom", "wecom_robot"]
    assert WeComChannel.MEMBER_MESSAGES_PER_MINUTE == 30
    assert WeComRobot.MESSAGES_PER_MINUTE == 20


async def _press(
    wecom: WeComEmulator, server: CallbackServer, label: str, item: str | None = None
) -> CardEvent:
    card = await wecom.wait_for_message("wang", lambda m: m["msgtype"] == "template_card")
    before = len(server.recorder.events)
    assert (await wecom.press("wang", card, label, item=item)).status == 200
    event = (await server.recorder.wait(before + 1))[-1]
    assert isinstance(event, CardEvent)
    return event


async def test_a_one_item_prompt_press_comes_back_as_the_answer(
    wecom: WeComEmulator, channel: WeComChannel, callback_server: CallbackServer
) -> None:
    await channel.send("wang", single_prompt())
    event = await _press(wecom, callback_server, "🔄 进行中")
    assert press_from_event(event) == Press("answer", 12, "in_progress")


async def test_a_five_item_prompt_press_carries_the_chosen_item(
    wecom: WeComEmulator, channel: WeComChannel, callback_server: CallbackServer
) -> None:
    await channel.send("wang", prompt(5))
    assert [m["msgtype"] for m in wecom.messages("wang")] == ["text", "template_card"]
    event = await _press(wecom, callback_server, "⚠️ 遇到困难", item="2.4")
    assert press_from_event(event) == Press("answer", 103, "blocked")


async def test_a_thirty_item_prompt_pages_through_three_cards(
    wecom: WeComEmulator, channel: WeComChannel, callback_server: CallbackServer
) -> None:
    await channel.send("wang", prompt(30))
    kinds = [m["msgtype"] for m in wecom.messages("wang")]
    assert kinds.count("template_card") == 3
    last = wecom.messages("wang")[-1]
    before = len(callback_server.recorder.events)
    await wecom.press("wang", last, "✅ 已完成", item="2.30")
    (*_, event) = await callback_server.recorder.wait(before + 1)
    assert isinstance(event, CardEvent)
    assert press_from_event(event) == Press("answer", 129, "done")


async def test_the_card_is_updated_once_to_show_what_was_recorded(
    wecom: WeComEmulator, channel: WeComChannel, callback_server: CallbackServer
) -> None:
    await channel.send("wang", single_prompt())
    event = await _press(wecom, callback_server, "✅ 已完成")
    recorded = OutgoingMessage(
        "2.3 创新社会救助方式 ✅ 已完成 · 6月23日 王科长已更新",
        title="【督办提醒】社救科 · 6月23日（周四）",
    )
    await channel.edit("wang", card_ref(event), recorded)
    card = wecom.messages("wang")[0]["template_card"]
    assert card["sub_title_text"] == "2.3 创新社会救助方式 ✅ 已完成 · 6月23日 王科长已更新"
    assert [b["text"] for b in card["button_list"]] == ["已记录"]
    assert card["task_id"] == event.task_id
    # The ResponseCode is spent: a second edit with it is refused for good.
    with pytest.raises(Undeliverable):
        await channel.edit("wang", card_ref(event), recorded)
    # The member cannot press a status that is no longer on the card.
    with pytest.raises(ControlError):
        await wecom.press("wang", wecom.messages("wang")[0], "✅ 已完成")


async def test_a_card_can_be_updated_with_the_remaining_items(
    wecom: WeComEmulator, channel: WeComChannel, callback_server: CallbackServer
) -> None:
    await channel.send("wang", prompt(3))
    event = await _press(wecom, callback_server, "✅ 已完成", item="2.1")
    remaining = OutgoingMessage(
        "2.1 ✅ 已完成 · 王科长已更新\n"
        "2.2 创新社会救助方式第2项工作\n2.3 创新社会救助方式第3项工作",
        buttons=prompt(3, first_item=100).buttons[1:],
        title="【督办提醒】社救科",
    )
    await channel.edit("wang", card_ref(event), remaining)
    card = wecom.messages("wang")[-1]["template_card"]
    assert [o["id"] for o in card["button_selection"]["option_list"]] == ["101", "102"]
    again = await _press(wecom, callback_server, "🔄 进行中", item="2.3")
    assert press_from_event(again) == Press("answer", 102, "in_progress")


async def test_the_ref_from_send_can_update_the_card_once(
    wecom: WeComEmulator, channel: WeComChannel
) -> None:
    ref = await channel.send("li", extension_request())
    await channel.edit(
        "li", ref, OutgoingMessage("已同意：2.3 延期至7月15日", title="【延期申请】社救科")
    )
    assert (
        wecom.messages("li")[0]["template_card"]["sub_title_text"] == "已同意：2.3 延期至7月15日"
    )


async def test_long_plain_text_is_split_and_nothing_is_lost(
    wecom: WeComEmulator, channel: WeComChannel
) -> None:
    lines = [
        f"🟢 4.{n} 加强基层群众性自治组织规范化建设 · 持续推进 · 6月10日更新" for n in range(60)
    ]
    await channel.send("wang", OutgoingMessage("\n".join(lines), title="社区科 · 60项"))
    sent = [m["text"]["content"] for m in wecom.messages("wang")]
    assert len(sent) > 1
    assert "\n".join(sent) == "社区科 · 60项\n\n" + "\n".join(lines)


async def test_markdown_goes_as_markdown(wecom: WeComEmulator, channel: WeComChannel) -> None:
    await channel.send("li", OutgoingMessage("全局 66 项：✅ 1", title="督办周报", markdown=True))
    (message,) = wecom.messages("li")
    assert message["markdown"]["content"] == "**督办周报**\n\n全局 66 项：✅ 1"


async def test_chart_and_ledger_are_uploaded_then_sent(
    wecom: WeComEmulator, channel: WeComChannel
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"1" * 100
    await channel.send_attachment(
        "li", Attachment(png, "chart.png", "各科室进展图", picture=True, mime_type="image/png")
    )
    await channel.send_attachment("li", Attachment(b"PK\x03\x04" + b"2" * 100, "督办台账.xlsx"))
    messages = wecom.messages("li")
    assert [m["msgtype"] for m in messages] == ["image", "text", "file"]
    assert wecom.media(messages[0]["image"]["media_id"]).data == png
    assert wecom.media(messages[2]["file"]["media_id"]).filename == "督办台账.xlsx"


async def test_a_member_outside_the_app_is_undeliverable(channel: WeComChannel) -> None:
    with pytest.raises(Undeliverable, match="81013"):
        await channel.send("gone", OutgoingMessage("提醒"))


async def test_rate_limit_is_try_later(wecom: WeComEmulator, channel: WeComChannel) -> None:
    wecom.fail("45009", path="message/send")
    with pytest.raises(TryLater):
        await channel.send("wang", single_prompt())


async def test_chaos_mode_only_ever_raises_the_core_errors(
    wecom: WeComEmulator, channel: WeComChannel
) -> None:
    wecom.chaos({"45009": 0.3, "5xx": 0.2, "expired_token": 0.2}, seed=7)
    delivered = 0
    for n in range(40):
        try:
            await channel.send("li", OutgoingMessage(f"第{n}条"))
            delivered += 1
        except TryLater:
            pass
    assert 0 < delivered < 40


async def test_robot_posts_markdown_in_parts_and_refuses_edits_and_files(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    robot = WeComRobot(api)
    key = wecom.add_robot()
    text = "\n".join(f"⚠️ 社会事务科 3.{n} 日照中心选址未定，需协调街道" for n in range(120))
    await robot.send(key, OutgoingMessage(text, buttons=extension_request().buttons))
    posted = [m["markdown"]["content"] for m in wecom.robot_messages(key)]
    assert len(posted) > 1
    assert "\n".join(posted) == text
    with pytest.raises(Undeliverable):
        await robot.edit(key, "robot-1", OutgoingMessage("改"))
    with pytest.raises(WeComUndeliverable):
        await robot.send_attachment(key, Attachment(b"x" * 10, "a.xlsx"))
    await robot.send_attachment(key, Attachment(b"\x89PNG" + b"0" * 10, "c.png", picture=True))
    assert wecom.robot_messages(key)[-1]["msgtype"] == "image"
