"""Every sentence the bot says: short, calm Chinese (UX.md); longer views are in bot/views.py."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.callbacks import Answer
from plan_data.units import UnknownUnit
from storage.errors import (
    ExtensionAlreadyDecided,
    InvalidInvite,
    InvalidPercent,
    NotOwner,
    UnknownTask,
)
from storage.records import ExtensionRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"
OFFICE = "东丽区民政局督办助手"
MAX_TEXT = 4096

ANSWER_LABELS: dict[Answer, str] = {
    "done": "✅ 已完成",
    "in_progress": "🔄 进行中",
    "blocked": "⚠️ 遇到困难",
    "extension": "📅 申请延期",
}
STATUS_NAMES: dict[str, str] = {
    "done": "已完成",
    "in_progress": "进行中",
    "blocked": "遇到困难",
    "extension": "申请延期",
}
LIGHT_ICONS: dict[str, str] = {"red": "🔴", "yellow": "🟡", "green": "🟢", "done": "✅"}
LEADERSHIP = "局领导"


# ---- dates -------------------------------------------------------------------------------


def day(value: date, today: date | None = None) -> str:
    """Return a date as 6月30日, with the year only when it is not this year."""
    prefix = f"{value.year}年" if today is not None and value.year != today.year else ""
    return f"{prefix}{value.month}月{value.day}日"


def day_week(value: date, today: date | None = None) -> str:
    """Return a date as 6月30日（周四）."""
    return f"{day(value, today)}（周{WEEKDAYS[value.weekday()]}）"


def local(instant: datetime, tz: ZoneInfo = SHANGHAI) -> datetime:
    """Return an aware instant in the office's time zone."""
    return instant.astimezone(tz)


# ---- strangers and binding ---------------------------------------------------------------

HOW_TO_BIND = (
    f"您好，这里是{OFFICE}。本会话尚未绑定科室，请向综合办索取邀请码后发送：\n/bind 邀请码"
)
BIND_USAGE = "请在 /bind 后面写上邀请码，如：/bind 7Q4K-92XD"
INVALID_INVITE = "邀请码无效或已过期，请向综合办重新索取。"


def bound(unit: str | None) -> str:
    """Say which unit (or leadership) this chat now belongs to."""
    if unit is None:
        return (
            "已绑定：局领导。此后本群将收到督办周报、逾期提醒、困难协调和延期审批。"
            "发送 /help 查看可用命令。"
        )
    return f"已绑定：{unit}。此后本群将收到{unit}的督办提醒。发送 /help 查看可用命令。"


def unbound(unit: str | None) -> str:
    """Confirm that this chat no longer belongs to a unit."""
    who = unit or LEADERSHIP
    return f"已解除与{who}的绑定，本会话不再收到督办提醒。"


def help_text(unit: str | None) -> str:
    """Return the command list for a bound chat; leadership gets its own lines."""
    lines = [f"{OFFICE} · {unit or LEADERSHIP}", ""]
    if unit is None:
        lines += [
            "/status 全局进展，每个科室一行",
            "/status 科室 某科室的进展，如 /status 社区科",
            "/status 2.3 某项任务的节点和最近进展",
            "/overdue 逾期事项",
            "/upcoming 14 未来14天到期的事项",
            "/digest 本周督办周报",
            "/export 导出督办台账（xlsx）",
        ]
    else:
        lines += [
            "/status 本科室进展；/status 2.3 查看某项任务",
            "/tasks 本科室的全部任务",
            "/upcoming 14 未来14天到期的事项",
            "/overdue 逾期事项",
            "/report 2.3 进展说明 直接报告进展",
            "/history 2.3 某项任务的全部记录",
            "",
            "收到督办提醒时，点选按钮即可；回复提醒消息也算作进展说明。",
        ]
    lines += ["/unbind 解除本会话的绑定"]
    return "\n".join(lines)


# ---- long text ---------------------------------------------------------------------------


def _units(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into messages Telegram accepts, at line breaks where possible."""
    if _units(text) <= limit:
        return [text or "（空）"]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while _units(line) > limit:
            head, line = _cut(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if _units(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = line
    if current:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()] or [text[:limit]]


def _cut(line: str, limit: int) -> tuple[str, str]:
    """Return the longest head of `line` within limit, and the rest."""
    size = 0
    for index, char in enumerate(line):
        size += _units(char)
        if size > limit:
            return line[:index], line[index:]
    return line, ""


# ---- leadership decisions ----------------------------------------------------------------

APPROVE = "同意"
REJECT = "不同意"


# ---- answers -----------------------------------------------------------------------------

ASK_NOTE = '请用一两句话说明进展，可写百分比，如"60% 已签约3家"。直接回复本消息即可。'
ASK_HELP = "请简要说明遇到的困难和需要的协调，局领导会及时看到。直接回复本消息即可。"
ASK_DATE = '请回复新的完成日期，如"7月15日""下周五""月底"，可附简要原因。'
BAD_DATE = '没看懂这个日期，请写成"7月15日"或"下周五"。'
PAST_DATE = '这个日期已经过去了，请写一个今后的日期，如"7月15日"或"下周五"。'
FAR_DATE = '这个日期太远了，请写一个今年或明年的日期，如"7月15日"。'
FOREIGN_BUTTON = "这个按钮不属于本会话的科室，未作记录。"
STALE_BUTTON = "这个按钮已失效，未作记录。"
LEADERSHIP_ONLY = "只有局领导群可以审批延期。"
ALREADY_DECIDED = "这项延期申请已经处理过了。"
WHICH_ITEM = '这条提醒有多项任务，请在回复开头写上任务编号，如"2.3 已签约3家"。'
EVIDENCE_HINT = "如需提交佐证，请先在督办提醒中点 ✅ 已完成，再回复那条消息发送照片或文件。"
NOT_A_UNIT_CHAT = "局领导群不报告进展；请在科室群中回复督办提醒。"
SORRY = "抱歉，这条消息没能处理，请稍后再试。"


_ASKS: dict[Answer, str] = {"in_progress": ASK_NOTE, "blocked": ASK_HELP, "extension": ASK_DATE}
_QUESTION = re.compile(r"(\d+(?:\.\d+)+)：(.*)", re.DOTALL)


def ask_for(answer: Answer, task_id: str) -> str:
    """Return the question that follows a tap (no question after 已完成)."""
    return f"{task_id}：{_ASKS[answer]}"


def ask_again(task_id: str, problem: str) -> str:
    """Return a question asked again after an answer that could not be used."""
    return f"{task_id}：{problem}"


def read_question(text: str) -> tuple[str, Answer] | None:
    """Return (task id, answer) of one of our questions, from its text (after a restart)."""
    found = _QUESTION.fullmatch(text)
    if found is None:
        return None
    task_id, body = found.groups()
    for answer, question in _ASKS.items():
        if body == question:
            return task_id, answer
    # Anything else after "2.3：" is a date question asked again.
    return task_id, "extension"


def done_recorded(task_id: str) -> str:
    """Confirm 已完成 and invite a note or evidence."""
    return (
        f"已记录 {task_id} 已完成。如需补充说明，直接回复本消息；"
        "照片或文件也可回复本消息发送，作为佐证。"
    )


def recorded(task_id: str, answer: Answer) -> str:
    """Confirm a recorded answer."""
    if answer == "blocked":
        return f"已记录 {task_id} 遇到困难，已转告局领导协调。"
    if answer == "done":
        return f"已补充 {task_id} 的完成说明。"
    return f"收到，已记录 {task_id} 进展（{STATUS_NAMES[answer]}）。"


def extension_filed(ext: ExtensionRecord, today: date) -> str:
    """Confirm that an extension request went to the leadership."""
    old = f"{day(ext.old_date, today)} → " if ext.old_date else ""
    return f"已提交延期申请：{ext.task_id} {old}{day_week(ext.new_date, today)}，待局领导审批。"


def prompt_mark(task_id: str, answer: Answer, when: date, reporter: str) -> str:
    """Return the line added to a prompt once an item is answered."""
    return f"{task_id} {ANSWER_LABELS[answer]} · {day(when)} {reporter}已更新"


def evidence_saved(task_id: str) -> str:
    """Confirm that a file was kept as evidence."""
    return f"已收到附件，作为 {task_id} 的佐证保存。"


def decision_mark(ext: ExtensionRecord, today: date) -> str:
    """Return the line added to a 【延期申请】 once it is decided."""
    verdict = "已同意" if ext.state == "approved" else "未同意"
    return f"{verdict} · {day(today)} {ext.decided_by or LEADERSHIP}"


def error(exc: Exception) -> str:
    """Turn a domain error into one calm Chinese sentence."""
    name = type(exc).__name__
    if isinstance(exc, UnknownUnit):
        if exc.suggestion:
            return f'没有找到"{exc.name}"，您是不是要找"{exc.suggestion}"？'
        return f'没有找到"{exc.name}"这个科室。'
    if isinstance(exc, UnknownTask):
        return f"没有找到任务 {exc.task_id}，发送 /tasks 查看本科室的任务。"
    if isinstance(exc, NotOwner):
        return f"{exc.task_id} 不是{exc.unit}的任务，责任科室是{'、'.join(exc.owners)}。"
    if isinstance(exc, InvalidInvite):
        return INVALID_INVITE
    if isinstance(exc, InvalidPercent):
        return "百分比应在0到100之间。"
    if isinstance(exc, ExtensionAlreadyDecided):
        return ALREADY_DECIDED
    due = getattr(exc, "due", None)
    if name == "NotLater" and isinstance(due, date):
        return f"延期后的日期应晚于原定的{day(due)}，请重新回复新的完成日期。"
    messages = {
        "DateNotUnderstood": BAD_DATE,
        "DateNotInFuture": PAST_DATE,
        "DateTooFar": FAR_DATE,
        "ForeignButton": FOREIGN_BUTTON,
        "LeadershipOnly": LEADERSHIP_ONLY,
        "UnknownExtension": STALE_BUTTON,
    }
    return messages.get(name, SORRY)


UNKNOWN_COMMAND = "没有这个命令，发送 /help 查看可用命令。"

UPCOMING_USAGE = "请写天数，如 /upcoming 14"


REPORT_USAGE = (
    "请写任务编号和进展，如：/report 2.3 60% 已签约3家；也可写 /report 2.3 已完成 协议已签署。"
)
HISTORY_USAGE = "请写任务编号，如：/history 2.3"


def report_done(task_id: str) -> str:
    """Confirm a /report that marked a task done."""
    return f"已记录 {task_id} 已完成。"


REPLY_HINT = (
    "如需报告进展，请回复督办提醒消息，或发送 /report 2.3 进展说明。发送 /help 查看可用命令。"
)
_PROMPT_FOOTER = "请点选当前进展："


def prompt_after_answer(text: str, marks: Sequence[str], finished: bool) -> str:
    """Return a prompt's original text with the recorded answers noted under it."""
    body = text.rstrip()
    footer = body.endswith(_PROMPT_FOOTER)
    if footer:
        body = body[: -len(_PROMPT_FOOTER)].rstrip()
    result = body + "\n\n" + "\n".join(marks)
    if footer and not finished:
        result += "\n\n" + _PROMPT_FOOTER
    return result


DIGEST_LEADERSHIP_ONLY = "督办周报和台账只发给局领导群。"
CHART_CAPTION = "各科室进展图"
LEDGER_FILE = "督办台账.xlsx"


def ledger_caption(rows: int, entries: int, now: datetime) -> str:
    """Describe the exported ledger."""
    return f"督办台账 · 截至{day(local(now).date())} · {rows}项，{entries}条进展记录"
