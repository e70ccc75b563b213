"""What leadership gets and causes: its two levels, the daily 【办结审核】, what a unit hears
after a sign-off step, and the 【局领导催办】 a leader sends at once.

Levels: 1 分管领导 gets the digest, blocked alerts, extension requests, the 【办结审核】 and
overdue escalations from the `escalate_from`-th overdue prompt; 2 主要领导 gets the digest and
escalations from the `escalate_top_from`-th. Where no level-1 chat is bound, the level-2 chats
stand in for it, so a bureau with one leadership chat works as it always did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.drafts import outbox_draft
from scheduler.messages import PromptItem, day_heading, prompt_text
from scheduler.payload import PayloadReview
from storage.milestones import MilestoneStatus
from storage.records import BindingRecord, EvidenceFile, OutboxDraft, ReviewItem, Verdict
from vocabulary import LEADERSHIP, LEADERSHIP_NAME, cn_date

REVIEW_HEAD = "【办结审核】"
URGE_HEAD = "【局领导催办】"
KIND_WORDS = {"photo": "照片", "document": "文件", "image": "照片", "file": "文件"}


@dataclass(frozen=True, slots=True)
class Tiers:
    """The leadership chats by level: `first` (level 1, or level 2 where no level 1 is
    bound) and `top` (level 2 beside a level 1)."""

    first: tuple[int, ...] = ()
    top: tuple[int, ...] = ()

    @property
    def everyone(self) -> tuple[int, ...]:
        """Return every leadership chat (the digest goes to both levels)."""
        return self.first + self.top


def leadership_tiers(bound: Sequence[BindingRecord]) -> Tiers:
    """Return the leadership chats of the current bindings, by level."""
    lead = [b for b in bound if b.is_leadership and not b.posts_only]
    first = tuple(b.chat_id for b in lead if b.level == 1) or tuple(b.chat_id for b in lead)
    return Tiers(first, tuple(b.chat_id for b in lead if b.chat_id not in first))


# ---- 【办结审核】 ---------------------------------------------------------------------------


def review_drafts(
    items: Sequence[ReviewItem], send_at: datetime, chats: Sequence[int], tz: ZoneInfo
) -> list[OutboxDraft]:
    """Return the day's 【办结审核】 for the first-level chats: what was reported done by the
    day's send time and still waits, with 通过 / 退回 per item (nothing if nothing waits)."""
    if not items:
        return []
    today = send_at.date()
    text = review_text(today, items, tz)
    reviews = [PayloadReview(i.entry.id, i.entry.task_id) for i in items]
    return [
        outbox_draft(
            f"signoff:{today.isoformat()}:{chat}",
            chat,
            LEADERSHIP,
            "signoff_review",
            text,
            send_at,
            buttons="signoff",
            reviews=reviews,
        )
        for chat in chats
    ]


def review_text(today: date, items: Sequence[ReviewItem], tz: ZoneInfo) -> str:
    """Return the 【办结审核】: one block per reported 已完成, in plan order."""
    lines = [f"{REVIEW_HEAD}{day_heading(today)} · 待验收 {len(items)}项"]
    for item in items:
        done = item.entry
        when = cn_date(item.first_at.astimezone(tz).date(), today.year)
        said = f"：“{item.note}”" if item.note else "，未附说明"
        lines += [
            "",
            f"{done.task_id} {item.title} · {done.unit}",
            f"节点：{milestones_phrase(item.milestones, today.year)}",
            f"{when} {done.reporter}报告已完成{said}",
            f"佐证：{evidence_words(item.evidence)}",
        ]
    lines += ["", "请逐项点 通过 或 退回（退回需写明原因）。"]
    return "\n".join(lines)


def milestones_phrase(milestones: Sequence[MilestoneStatus], year: int) -> str:
    """Return the milestones a report closes: 完成协议签署 · 6月30日截止."""
    parts = []
    for m in milestones:
        if m.kind == "deadline" and m.end is not None:
            when = f"{cn_date(m.end, year)}截止"
        elif m.end is not None:
            when = f"至{cn_date(m.end, year)}"
        else:
            when = "持续推进"
        parts.append(f"{m.action} · {when}" if m.action else when)
    return "；".join(parts)


def evidence_words(files: Sequence[EvidenceFile]) -> str:
    """Return the evidence as counted and named: 2个（照片、协议.pdf）, or 无."""
    if not files:
        return "无"
    names = [f.name or KIND_WORDS.get(f.kind, "附件") for f in files]
    return f"{len(files)}个（{'、'.join(names)}）"


# ---- what the unit hears after a step --------------------------------------------------------


def outcome_text(
    task_id: str,
    title: str,
    milestones: Sequence[MilestoneStatus],
    verdict: Verdict,
    by: str,
    day: date,
    reason: str | None = None,
) -> str:
    """Return the message to the unit after leadership passed or returned its 已完成."""
    head = "【办结通过】" if verdict == "pass" else "【办结退回】"
    lines = [f"{head}{task_id} {title}", f"节点：{milestones_phrase(milestones, day.year)}"]
    who = f"{cn_date(day)} {by or LEADERSHIP_NAME}"
    if verdict == "pass":
        lines.append(f"已通过验收（{who}），本节点办结。")
    else:
        lines.append(f"已退回：{reason or '未写明原因'}（{who}）")
        lines.append(f"请补充完善后重新报送已完成，如：/report {task_id} 已完成 补充说明。")
    return "\n".join(lines)


# ---- 【局领导催办】 -----------------------------------------------------------------------------


def urge_text(unit: str, today: date, item: PromptItem, by: str, tz: ZoneInfo) -> str:
    """Return a leader's 催办: the prompt's block for the item, under its own heading."""
    # The prompt's first line is its heading: the rest (the item, the footer) is the same.
    body = prompt_text(unit, today, [item], tz).split("\n", 1)[1]
    asked = f"{by or LEADERSHIP_NAME}催办以下事项，请尽快报送进展。"
    return f"{URGE_HEAD}{unit} · {day_heading(today)}\n{asked}\n{body}"
