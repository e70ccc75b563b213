"""Card layout: limits, paging without silent cuts, and the press round trip."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bot.wecom.cards import (
    INERT_KEY,
    ITEM_QUESTION,
    MENU_KEY,
    MENU_QUESTION,
    SEE_TEXT_ABOVE,
    Outbound,
    plan_message,
    press_from_event,
    recorded_card,
    split_text,
)
from bot.wecom.events import CardEvent, SelectedItem
from core.buttons import Button, Press
from core.channel import OutgoingMessage
from tests.wecom.prompts import extension_request, prompt, single_prompt

ids = itertools.count(1)


def task_ids() -> str:
    return f"t{next(ids)}"


def cards(outbound: list[Outbound]) -> list[dict[str, Any]]:
    return [o.content for o in outbound if o.kind == "template_card"]  # type: ignore[misc]


def texts(outbound: list[Outbound]) -> list[str]:
    return [o.content for o in outbound if o.kind != "template_card"]  # type: ignore[misc]


def assert_within_limits(card: dict[str, Any]) -> None:
    assert len(card["main_title"]["title"]) <= 36
    assert len(card["main_title"].get("desc", "")) <= 44
    assert len(card.get("sub_title_text", "")) <= 160
    assert 1 <= len(card["button_list"]) <= 6
    assert all(len(b["text"]) <= 10 for b in card["button_list"])
    assert all(len(b["key"].encode()) <= 1024 for b in card["button_list"])
    selection = card.get("button_selection")
    if selection:
        assert 1 <= len(selection["option_list"]) <= 10
        assert all(len(o["text"]) <= 16 for o in selection["option_list"])
        assert all(len(o["id"].encode()) <= 128 for o in selection["option_list"])


def event(key: str, selected: tuple[SelectedItem, ...] = ()) -> CardEvent:
    return CardEvent("wang", key, "t1", "button_interaction", "RC1", 1700000000, selected)


def test_one_item_prompt_is_one_self_contained_card_with_four_buttons() -> None:
    (only,) = plan_message(single_prompt(), task_ids)
    card = only.content
    assert isinstance(card, dict)
    assert_within_limits(card)
    assert card["main_title"]["title"] == "【督办提醒】社救科 · 6月23日（周四）"
    assert "上次进展" in card["sub_title_text"]
    assert [b["text"] for b in card["button_list"]] == [
        "2.3 ✅ 已完成",
        "🔄 进行中",
        "⚠️ 遇到困难",
        "📅 申请延期",
    ]
    assert "button_selection" not in card


def test_five_item_prompt_is_full_text_then_one_card_with_a_selection_list() -> None:
    planned = plan_message(prompt(5), task_ids)
    (card,) = cards(planned)
    assert_within_limits(card)
    full = "\n".join(texts(planned))
    for n in range(1, 6):
        assert f"2.{n} 创新社会救助方式第{n}项工作" in full
    options = card["button_selection"]["option_list"]
    assert [o["id"] for o in options] == ["100", "101", "102", "103", "104"]
    assert options[0]["text"].startswith("2.1 ")
    assert [b["text"] for b in card["button_list"]] == [
        "✅ 已完成",
        "🔄 进行中",
        "⚠️ 遇到困难",
        "📅 申请延期",
    ]
    assert SEE_TEXT_ABOVE in card["sub_title_text"]


def test_thirty_item_prompt_is_paged_and_every_item_stays_reachable_and_readable() -> None:
    message = prompt(30)
    planned = plan_message(message, task_ids)
    pages = cards(planned)
    assert len(pages) == 3
    for card in pages:
        assert_within_limits(card)
    chosen = [o["id"] for card in pages for o in card["button_selection"]["option_list"]]
    assert chosen == [str(100 + n) for n in range(30)]
    assert "\n".join(texts(planned)).replace("\n", "") == (
        f"{message.title}\n\n{message.text}".replace("\n", "")
    )
    assert all(len(t.encode()) <= 2048 for t in texts(planned))
    assert len({card["task_id"] for card in pages}) == 3
    assert pages[1]["main_title"]["desc"] == "第2/3页"


@pytest.mark.parametrize("count", [1, 5, 30])
def test_every_button_on_every_page_round_trips_to_its_press(count: int) -> None:
    message = prompt(count)
    expected = {b.press for row in message.buttons for b in row}
    found = set()
    for card in cards(plan_message(message, task_ids)):
        selection = card.get("button_selection")
        options = [o["id"] for o in selection["option_list"]] if selection else [None]
        for option, button in itertools.product(options, card["button_list"]):
            chosen = (SelectedItem(ITEM_QUESTION, (option,)),) if option else ()
            press = press_from_event(event(button["key"], chosen))
            assert press is not None
            found.add(press)
    assert found == expected


def test_extension_request_has_agree_and_disagree() -> None:
    (only,) = plan_message(extension_request(), task_ids)
    card = only.content
    assert isinstance(card, dict)
    assert [b["text"] for b in card["button_list"]] == ["同意", "不同意"]
    presses = [press_from_event(event(b["key"])) for b in card["button_list"]]
    assert presses == [Press("decide", 5, "yes"), Press("decide", 5, "no")]


def test_irregular_buttons_become_a_menu_that_round_trips() -> None:
    buttons = tuple(
        (Button(f"第{n}项：一个很长很长的按钮标签", Press("pick", 7, "item", n)),)
        for n in range(12)
    )
    planned = plan_message(OutgoingMessage("这条回复属于哪一项？", buttons), task_ids)
    pages = cards(planned)
    assert len(pages) == 2
    for card in pages:
        assert_within_limits(card)
        assert card["button_list"][0]["key"] == MENU_KEY
    option = pages[1]["button_selection"]["option_list"][0]["id"]
    press = press_from_event(event(MENU_KEY, (SelectedItem(MENU_QUESTION, (option,)),)))
    assert press == Press("pick", 7, "item", 10)


@pytest.mark.parametrize(
    ("key", "selected"),
    [
        ("forged", ()),
        (INERT_KEY, ()),
        ("a:1:done", (SelectedItem(ITEM_QUESTION, ("1", "2")),)),
        ("a:1:done", (SelectedItem(ITEM_QUESTION, ("x1",)),)),
        (MENU_KEY, (SelectedItem(MENU_QUESTION, ("not-a-press",)),)),
        (MENU_KEY, ()),
    ],
)
def test_forged_or_stale_presses_mean_nothing(
    key: str, selected: tuple[SelectedItem, ...]
) -> None:
    assert press_from_event(event(key, selected)) is None


def test_plain_text_is_split_at_line_breaks_without_losing_anything() -> None:
    lines = [
        f"第{n}行：社区科 4.3 加强老旧小区长效管理，物业招标流标，需重新组织" for n in range(80)
    ]
    text = "\n".join(lines)
    parts = split_text(text, 2048)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "\n".join(parts) == text


def test_a_single_overlong_line_is_split_between_characters() -> None:
    line = "督" * 1000  # 3,000 bytes
    parts = split_text(line, 2048)
    assert "".join(parts) == line
    assert all(len(p.encode()) <= 2048 for p in parts)


def test_markdown_digest_goes_as_markdown_parts_of_at_most_2048_bytes() -> None:
    digest = OutgoingMessage(
        "\n".join(["🔴 社救科 2.1 构建综合救助格局 · 逾期154天"] * 80),
        markdown=True,
        title="督办周报",
    )
    planned = plan_message(digest, task_ids)
    assert {o.kind for o in planned} == {"markdown"}
    assert all(len(str(o.content).encode()) <= 2048 for o in planned)
    assert str(planned[0].content).startswith("**督办周报**")


def test_recorded_card_shows_what_was_recorded_with_an_inert_button() -> None:
    message = OutgoingMessage(
        "2.3 …… 🔄 进行中 · 6月23日 王科长已更新", title="【督办提醒】社救科 · 6月23日（周四）"
    )
    before, card = recorded_card("t-keep", message)
    assert before == []
    assert card["task_id"] == "t-keep"
    assert card["sub_title_text"] == "2.3 …… 🔄 进行中 · 6月23日 王科长已更新"
    assert [b["key"] for b in card["button_list"]] == [INERT_KEY]
    assert_within_limits(card)
