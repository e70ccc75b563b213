"""The pushed texts read as UX.md shows them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.messages import (
    PromptItem,
    blocked_text,
    escalation_text,
    extension_outcome_text,
    extension_request_text,
    prompt_text,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2022, 6, 23)


def item(
    kind: str = "reminder", due: date | None = date(2022, 6, 30), **extra: object
) -> PromptItem:
    values: dict[str, object] = {
        "task_row": 1,
        "task_id": "2.3",
        "title": "创新社会救助方式",
        "unit": "社救科",
        "milestone_id": 7,
        "kind": kind,
        "due": due,
        "action": "完成协议签署",
        "point_day": TODAY,
    }
    values.update(extra)
    return PromptItem(**values)  # type: ignore[arg-type]


def test_morning_prompt_reads_like_ux() -> None:
    text = prompt_text(
        "社救科",
        TODAY,
        [item(last_note="已完成3家机构洽谈", last_at=datetime(2022, 5, 31, 10, tzinfo=TZ))],
    )
    assert text == (
        "【督办提醒】社救科 · 6月23日（周四）\n"
        "\n"
        "2.3 创新社会救助方式\n"
        "节点：完成协议签署 · 6月30日截止（还有7天）\n"
        "上次进展：5月31日 “已完成3家机构洽谈”\n"
        "\n"
        "请点选当前进展："
    )


def test_overdue_today_and_checkin_wording() -> None:
    text = prompt_text(
        "社救科",
        TODAY,
        [
            item("overdue", date(2022, 6, 13)),
            item("reminder", TODAY),
            item("checkin", None, action=None, task_id="1.1", title="学习"),
        ],
    )
    assert "6月13日截止（已逾期10天）" in text
    assert "6月23日截止（今天）" in text
    assert "1.1 学习\n节点：本月进展（持续推进）" in text


def test_leadership_texts() -> None:
    overdue = item("overdue", date(2022, 6, 13), escalate=True)
    escalation = escalation_text(TODAY, [overdue])
    assert escalation.startswith("【逾期督办】6月23日（周四） · 1项")
    assert "社救科 · 2.3 创新社会救助方式" in escalation
    assert "尚无进展记录" in escalation
    blocked = blocked_text(
        "社会事务科",
        "3.2",
        "推进社区养老设施建设",
        "日照中心选址未定，需协调街道",
        datetime(2022, 6, 20, 3, tzinfo=TZ),
        "李科长",
    )
    assert blocked == (
        "【需协调】社会事务科 · 3.2 推进社区养老设施建设\n"
        "“日照中心选址未定，需协调街道”（6月20日 李科长）"
    )
    request = extension_request_text(
        "社救科",
        "2.3",
        "创新社会救助方式",
        "完成协议签署",
        date(2022, 6, 30),
        date(2022, 7, 15),
        "街道调整导致协议需重新审核",
        2022,
    )
    assert request == (
        "【延期申请】社救科 · 2.3 创新社会救助方式\n"
        "节点：完成协议签署 6月30日 → 7月15日（周五）\n"
        "原因：街道调整导致协议需重新审核"
    )
    outcome = extension_outcome_text(
        "2.3",
        "创新社会救助方式",
        "完成协议签署",
        date(2022, 6, 30),
        date(2022, 7, 15),
        False,
        2022,
    )
    assert "未同意" in outcome
    for text in (escalation, blocked, request, outcome):
        assert "!" not in text
        assert "！" not in text


def test_dates_in_another_year_carry_the_year() -> None:
    text = prompt_text("社救科", TODAY, [item(due=date(2023, 3, 31))])
    assert "2023年3月31日截止" in text
