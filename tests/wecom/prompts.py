"""Prompts shaped as the dialogue builds them (UX.md): items × four answer buttons."""

from __future__ import annotations

from core.buttons import Button, Press
from core.channel import OutgoingMessage

STATUSES = (
    ("done", "✅ 已完成"),
    ("in_progress", "🔄 进行中"),
    ("blocked", "⚠️ 遇到困难"),
    ("extension", "📅 申请延期"),
)


def answer_row(item_id: int, task: str) -> tuple[Button, ...]:
    """Return one item's row: the first label carries the task id."""
    return tuple(
        Button(f"{task} {label}" if index == 0 else label, Press("answer", item_id, status))
        for index, (status, label) in enumerate(STATUSES)
    )


def prompt(count: int, first_item: int = 100) -> OutgoingMessage:
    """Return a morning prompt with `count` items (task ids 2.1, 2.2 …)."""
    blocks = []
    rows = []
    for n in range(count):
        task = f"2.{n + 1}"
        blocks.append(
            f"{task} 创新社会救助方式第{n + 1}项工作\n节点：完成协议签署 · 6月30日截止（还有7天）"
        )
        rows.append(answer_row(first_item + n, task))
    return OutgoingMessage(
        text="\n\n".join(blocks) + "\n\n请点选当前进展：",
        buttons=tuple(rows),
        title="【督办提醒】社救科 · 6月23日（周四）",
    )


def single_prompt() -> OutgoingMessage:
    """Return UX.md's one-item prompt."""
    return OutgoingMessage(
        text=(
            "2.3 创新社会救助方式\n节点：完成协议签署 · 6月30日截止（还有7天）\n"
            '上次进展：5月31日 "已完成3家机构洽谈"'
        ),
        buttons=(answer_row(12, "2.3"),),
        title="【督办提醒】社救科 · 6月23日（周四）",
    )


def extension_request() -> OutgoingMessage:
    """Return UX.md's extension request to leadership."""
    return OutgoingMessage(
        text="节点：完成协议签署 6月30日 → 7月15日（周五）\n原因：街道调整导致协议需重新审核",
        buttons=(
            (
                Button("同意", Press("decide", 5, "yes")),
                Button("不同意", Press("decide", 5, "no")),
            ),
        ),
        title="【延期申请】社救科 · 2.3 创新社会救助方式",
    )
