"""Pure pieces: dates as people read them, text splitting, button data, percent notes."""

from __future__ import annotations

from datetime import date

import pytest

from bot import render, views
from bot.callbacks import (
    AnswerTap,
    DecisionTap,
    decode,
    encode_answer,
    encode_decision,
    may_answer,
)
from bot.ledger import split_percent


@pytest.mark.parametrize(
    ("value", "today", "shown"),
    [
        (date(2022, 6, 30), None, "6月30日（周四）"),
        (date(2022, 7, 15), date(2022, 6, 23), "7月15日（周五）"),
        (date(2023, 1, 20), date(2022, 6, 23), "2023年1月20日（周五）"),
    ],
)
def test_dates_read_like_the_office_writes_them(
    value: date, today: date | None, shown: str
) -> None:
    assert render.day_week(value, today) == shown


def test_short_text_is_one_message() -> None:
    assert render.split_text("你好") == ["你好"]


def test_long_text_splits_at_line_breaks_within_the_limit() -> None:
    text = "\n".join(f"{n:03d} " + "督" * 100 for n in range(100))
    parts = render.split_text(text)
    assert len(parts) == 3
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text


def test_a_single_huge_line_is_cut() -> None:
    parts = render.split_text("办" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_emoji_count_double_towards_the_limit() -> None:
    parts = render.split_text("🔴" * 3000)
    assert [len(p) for p in parts] == [2048, 952]


@pytest.mark.parametrize(
    ("data", "tap"),
    [
        (encode_answer(12, 345, "in_progress"), AnswerTap(12, 345, "in_progress")),
        (encode_answer(1, 2, "extension"), AnswerTap(1, 2, "extension")),
        (encode_decision(7, True), DecisionTap(7, True)),
        (encode_decision(7, False), DecisionTap(7, False)),
        ("a:1:2:z", None),
        ("a:1:d", None),
        ("x:1:maybe", None),
        ("", None),
        (None, None),
    ],
)
def test_button_data_round_trips_and_strangers_are_refused(
    data: str | None, tap: AnswerTap | DecisionTap | None
) -> None:
    assert decode(data) == tap


def test_button_data_fits_telegrams_64_bytes() -> None:
    assert len(encode_answer(10**17, 10**17, "blocked").encode()) <= 64


@pytest.mark.parametrize(
    ("text", "note", "percent"),
    [
        ("60% 已签约3家", "已签约3家", 60),
        ("已签约3家，完成80％", "已签约3家，完成", 80),
        ("已签约3家", "已签约3家", None),
        ("150% 超额", "150% 超额", None),
        ("100%", None, 100),
    ],
)
def test_a_percent_may_lead_the_note(text: str, note: str | None, percent: int | None) -> None:
    assert split_percent(text) == (note, percent)


def test_an_answered_prompt_keeps_its_call_to_act_while_items_remain() -> None:
    prompt = "【督办提醒】社救科\n\n2.3 创新\n\n2.4 提升\n\n请点选当前进展："
    marks = ["2.3 🔄 进行中 · 6月23日 王科长已更新"]
    assert render.prompt_after_answer(prompt, marks, finished=False).endswith("请点选当前进展：")
    done = render.prompt_after_answer(prompt, marks, finished=True)
    assert done.endswith("2.3 🔄 进行中 · 6月23日 王科长已更新")
    assert "请点选" not in done


def test_no_exclamation_marks_in_what_the_bot_says() -> None:
    texts = [v for m in (render, views) for v in vars(m).values() if isinstance(v, str)]
    assert texts
    assert not [t for t in texts if "!" in t or "！" in t]


@pytest.mark.parametrize(
    ("chat_unit", "item_unit", "allowed"),
    [
        ("社救科", "社救科", True),
        ("社救科", "社区科", False),
        (None, "社救科", False),
        ("社救科", None, False),
    ],
)
def test_a_chat_answers_only_its_own_units_items(
    chat_unit: str | None, item_unit: str | None, allowed: bool
) -> None:
    assert may_answer(chat_unit, item_unit) is allowed
