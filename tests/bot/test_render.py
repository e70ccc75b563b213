"""Pure pieces of the chat texts: dates as people read them, text splitting, prompt edits."""

from __future__ import annotations

from datetime import date

import pytest

from bot import render, views
from bot.telegram.channel import split_text
from core.prompts import Mark


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
    assert split_text("你好") == ["你好"]


def test_long_text_splits_at_line_breaks_within_the_limit() -> None:
    text = "\n".join(f"{n:03d} " + "督" * 100 for n in range(100))
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text


def test_a_single_huge_line_is_cut() -> None:
    parts = split_text("办" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_emoji_count_double_towards_the_limit() -> None:
    parts = split_text("🔴" * 3000)
    assert [len(p) for p in parts] == [2048, 952]


def test_an_answered_prompt_keeps_its_call_to_act_while_items_remain() -> None:
    prompt = "【督办提醒】社救科\n\n2.3 创新\n\n2.4 提升\n\n请点选当前进展："
    marks = [Mark("2.3", "in_progress", date(2022, 6, 23), "王科长")]
    assert render.prompt_after_answer(prompt, marks, finished=False).endswith("请点选当前进展：")
    done = render.prompt_after_answer(prompt, marks, finished=True)
    assert done.endswith("2.3 🔄 进行中 · 6月23日 王科长已更新")
    assert "请点选" not in done


def test_no_exclamation_marks_in_what_the_bot_says() -> None:
    texts = [v for m in (render, views) for v in vars(m).values() if isinstance(v, str)]
    assert texts
    assert not [t for t in texts if "!" in t or "！" in t]
