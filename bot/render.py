"""Every sentence the bot says in chat, on every channel: short, calm Chinese (UX.md).

Longer views are in `bot/views.py`. Dates use `vocabulary.cn_date`; statuses and their
labels come from `vocabulary` too, so a word is defined once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core import errors, evidence, pause
from core.board import NoBoard
from core.extensions import ExtensionFiled
from core.prompts import Mark
from core.signoff import Decided, ReviewMark
from core.urge import Urged
from storage.records import EntryRecord, ExtensionRecord, TargetProgress
from vocabulary import (
    LEADERSHIP_NAME,
    STATUS_NAMES,
    Status,
    cn_date,
    progress_words,
    status_label,
)

OFFICE = "东丽区民政局督办助手"


def day(value: date, today: date | None = None) -> str:
    """Return a date as 6月30日, with the year only when it is not this year."""
    return cn_date(value, today.year if today is not None else None)


def day_week(value: date, today: date | None = None) -> str:
    """Return a date as 6月30日（周四）."""
    return cn_date(value, today.year if today is not None else None, weekday=True)


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    """Return an aware instant in the office's time zone."""
    return instant.astimezone(tz)


# ---- strangers and binding ---------------------------------------------------------------

HOW_TO_BIND = (
    f"您好，这里是{OFFICE}。本会话尚未绑定科室，请向综合办索取邀请码后发送：\n/bind 邀请码"
)
BIND_USAGE = "请在 /bind 后面写上邀请码，如：/bind 7Q4K-92XD"
INVALID_INVITE = "邀请码无效或已过期，请向综合办重新索取。"


def bound(unit: str | None, private: bool = False, level: int = 1) -> str:
    """Say which unit (or leadership, at which level) this chat now belongs to."""
    who = "您将在这里" if private else "本群将"
    if unit is None and level == 2:
        return (
            f"已绑定：局领导（主要领导）。此后{who}收到督办周报和逾期较久事项的督办提醒。"
            "发送 /help 查看可用命令。"
        )
    if unit is None:
        return (
            f"已绑定：局领导。此后{who}收到督办周报、逾期提醒、困难协调、延期审批和办结审核。"
            "发送 /help 查看可用命令。"
        )
    return f"已绑定：{unit}。此后{who}收到{unit}的督办提醒。发送 /help 查看可用命令。"


def unbound(unit: str | None) -> str:
    """Confirm that this chat no longer belongs to a unit."""
    who = unit or LEADERSHIP_NAME
    return f"已解除与{who}的绑定，本会话不再收到督办提醒。"


def help_text(unit: str | None) -> str:
    """Return the command list for a bound chat; leadership gets its own lines."""
    lines = [f"{OFFICE} · {unit or LEADERSHIP_NAME}", ""]
    if unit is None:
        lines += [
            "/status（状态）全局进展，每个科室一行",
            "/status 科室 某科室的进展，如 状态 社区科",
            "/status 2.3 某项任务的节点和最近进展",
            "/overdue（逾期）逾期事项",
            "/upcoming 14（临近）未来14天到期的事项",
            "/digest（周报）本周督办周报",
            "/export（导出）导出督办台账（xlsx）",
            f"暂停 某科室的督办提醒，如：{PAUSE_EXAMPLE}",
            "恢复 科室 恢复某科室的督办提醒，如：恢复 社区科",
            "看板 获取网页看板的登录链接（私信发送）",
            "",
            "状态 科室、逾期 中的逾期和临近事项可点“催办”；【办结审核】中逐项点通过或退回。",
        ]
    else:
        lines += [
            "/status（状态）本科室进展；状态 2.3 查看某项任务",
            "/tasks（任务）本科室的全部任务",
            "/upcoming 14（临近）未来14天到期的事项",
            "/overdue（逾期）逾期事项",
            "/report 2.3 进展说明（汇报）直接报告进展",
            "/history 2.3（历史）某项任务的全部记录",
            "/withdraw 2.3（撤回）撤回尚未验收的已完成",
            "看板 获取本科室网页看板的登录链接（私信发送）",
            "",
            "收到督办提醒时，点选按钮即可；回复提醒消息也算作进展说明。",
        ]
    lines += ["/unbind（解绑）解除本会话的绑定", "命令可不带斜杠，如：状态 社区科"]
    return "\n".join(lines)


# ---- answers -----------------------------------------------------------------------------

ASK_NOTE = '请用一两句话说明进展，可写百分比，如"60% 已签约3家"。直接回复本消息即可。'
ASK_HELP = "请简要说明遇到的困难和需要的协调，局领导会及时看到。直接回复本消息即可。"
ASK_DATE = '请回复新的完成日期，如"7月15日""下周五""月底"，可附简要原因。'
ASK_WHICH = "这条提醒有多项任务，请点选这句说明属于哪一项："
BAD_DATE = '没看懂这个日期，请写成"7月15日"或"下周五"。'
PAST_DATE = '这个日期已经过去了，请写一个今后的日期，如"7月15日"或"下周五"。'
FAR_DATE = '这个日期太远了，请写一个今年或明年的日期，如"7月15日"。'
FOREIGN_BUTTON = "这个按钮不属于本会话的科室，未作记录。"
STALE_BUTTON = "这个按钮已失效，未作记录。"
QUESTION_CLOSED = "这个问题已经回答过或已过期，未作记录。"
NOT_YOUR_QUESTION = "这个问题是问点按钮的同事的，未作记录。"
LEADERSHIP_ONLY = "只有局领导可以审批延期。"
ALREADY_DECIDED = "这项延期申请已经处理过了。"
EVIDENCE_HINT = "如需提交佐证，请先在督办提醒中点 ✅ 已完成，再回复那条消息发送照片或文件。"
NOT_A_UNIT_CHAT = "局领导会话不报告进展；请在科室会话中回复督办提醒。"
SORRY = "抱歉，这条消息没能处理，请稍后再试。"
NOT_RECORDED = "抱歉，系统暂时连不上台账，这次操作未记录，请稍后再试。"
TOO_MANY_GUESSES = "邀请码尝试次数过多，请{minutes}分钟后再试，或向综合办核对邀请码。"
REPLY_HINT = (
    "如需报告进展，请回复督办提醒消息，或发送 /report 2.3 进展说明。发送 /help 查看可用命令。"
)

_ASKS: dict[Status, str] = {"in_progress": ASK_NOTE, "blocked": ASK_HELP, "extension": ASK_DATE}


def ask_for(status: Status, task_id: str) -> str:
    """Return the question that follows a press (no question after 已完成)."""
    return f"{task_id}：{_ASKS[status]}"


def ask_again(task_id: str, problem: str) -> str:
    """Return a question asked again after an answer that could not be used."""
    return f"{task_id}：{problem}"


def done_recorded(task_id: str) -> str:
    """Confirm 已完成 and invite a note or evidence."""
    return (
        f"已记录 {task_id} 已完成。如需补充说明，直接回复本消息；"
        "照片或文件也可回复本消息发送，作为佐证。"
    )


def recorded(task_id: str, status: Status, entry: EntryRecord | None = None) -> str:
    """Confirm a recorded answer (and what was read in it: progress, an event)."""
    if status == "blocked":
        said = f"已记录 {task_id} 遇到困难，已转告局领导协调。"
    elif status == "done":
        said = f"已补充 {task_id} 的完成说明。"
    else:
        said = f"收到，已记录 {task_id} 进展（{STATUS_NAMES[status]}）。"
    return "\n".join([said, *read_in(entry)])


def report_done(task_id: str, entry: EntryRecord | None = None) -> str:
    """Confirm a report that marked a task done."""
    return "\n".join([f"已记录 {task_id} 已完成。", *read_in(entry)])


def progress_text(progress: Sequence[TargetProgress]) -> str:
    """Return progress against targets: 3/5家, or 养老床位 60/150张 among several."""
    return progress_words([(p.what, p.unit, p.target, p.value) for p in progress])


def read_in(entry: EntryRecord | None) -> list[str]:
    """Return what the core read in a report, one line each: progress, an event's deadline."""
    if entry is None:
        return []
    lines = []
    named = [p for p in entry.readings if p.target is not None]
    if named:
        lines.append(f"目标进度：{progress_text(named)}")
    for event in entry.events:
        lines.append(
            f"已记录{event.event or '触发事项'}：{day(event.event_day)}，"
            f"完成时限为{day_week(event.due)}，此后按期提醒。"
        )
    return lines


def extension_filed(filed: ExtensionFiled, today: date) -> str:
    """Confirm that an extension request went to the leadership."""
    ext = filed.request
    action = f" {filed.milestone.action}" if filed.milestone.action else ""
    old = f"{day(ext.old_date, today)} → " if ext.old_date else ""
    return (
        f"已提交延期申请：{ext.task_id}{action} {old}{day_week(ext.new_date, today)}，"
        "待局领导审批。"
    )


def prompt_mark(mark: Mark) -> str:
    """Return the line added to a prompt once an item is answered."""
    return f"{mark.task_id} {status_label(mark.status)} · {day(mark.day)} {mark.reporter}已更新"


_PROMPT_FOOTER = "请点选当前进展："


def prompt_after_answer(text: str, marks: Sequence[Mark], finished: bool) -> str:
    """Return a prompt's original text with the recorded answers noted under it."""
    body = text.rstrip()
    footer = body.endswith(_PROMPT_FOOTER)
    if footer:
        body = body[: -len(_PROMPT_FOOTER)].rstrip()
    result = body + "\n\n" + "\n".join(prompt_mark(m) for m in marks)
    if footer and not finished:
        result += "\n\n" + _PROMPT_FOOTER
    return result


def evidence_saved(task_id: str) -> str:
    """Confirm that a file was kept as evidence."""
    return f"已收到附件，作为 {task_id} 的佐证保存。"


def decision_mark(ext: ExtensionRecord, today: date) -> str:
    """Return the line added to a 【延期申请】 once it is decided."""
    verdict = "已同意" if ext.state == "approved" else "未同意"
    return f"{verdict} · {day(today)} {ext.decided_by or LEADERSHIP_NAME}"


def error(exc: Exception) -> str:
    """Turn a domain error into one calm Chinese sentence ("" when nothing is to be said)."""
    match exc:
        case errors.UnknownUnit(suggestion=str(suggestion)) if suggestion:
            return f'没有找到"{exc.name}"，您是不是要找"{suggestion}"？'
        case errors.UnknownUnit():
            return f'没有找到"{exc.name}"这个科室。'
        case errors.UnknownTask():
            return f"没有找到任务 {exc.task_id}，发送 /tasks 查看本科室的任务。"
        case errors.NotOwner():
            return f"{exc.task_id} 不是{exc.unit}的任务，责任科室是{'、'.join(exc.owners)}。"
        case errors.InvalidInvite():
            return INVALID_INVITE
        case errors.TooManyGuesses():
            # Told once per cool-down; further tries get no answer at all.
            return TOO_MANY_GUESSES.format(minutes=exc.minutes) if exc.tell else ""
        case errors.InvalidPercent():
            return "百分比应在0到100之间。"
        case errors.ExtensionAlreadyDecided():
            return ALREADY_DECIDED
        case errors.UnknownExtension():
            return STALE_BUTTON
        case errors.NotLater():
            return f"延期后的日期应晚于原定的{day(exc.due)}，请重新回复新的完成日期。"
        case errors.BeyondPlanWindow():
            return f"延期最晚只能到{exc.limit.year}年12月31日，请重新回复新的完成日期。"
        case errors.NotExtendable():
            return _not_extendable(exc)
        case errors.ExtensionPending():
            pending = day(exc.new_date)
            return f"{exc.task_id} 已有一项延期申请（至{pending}）待局领导审批，请等待结果。"
        case errors.NeedsNote():
            return "请写明遇到的困难和需要的协调，如：/report 2.3 困难 场地未落实。"
        case errors.UseExtensionRequest():
            return "申请延期请点提醒中的 📅 申请延期，并写明新的完成日期。"
        case errors.EventNotYet():
            return (
                f"{exc.event}的日期{day(exc.day)}还没到，"
                f"请回复已经发生的日期，如“{exc.event} 3月5日”。"
            )
        case errors.NoEventWaiting():
            return f"{exc.task_id} 没有需要等待触发的节点。"
        case errors.DateNotUnderstood():
            return BAD_DATE
        case errors.DateNotInFuture():
            return PAST_DATE
        case errors.DateTooFar():
            return FAR_DATE
        case errors.ForeignButton():
            return FOREIGN_BUTTON
        case errors.LeadershipOnly():
            return LEADERSHIP_ONLY
        case errors.NotAUnitChat():
            return NOT_A_UNIT_CHAT
        case errors.QuestionClosed():
            return QUESTION_CLOSED
        case errors.NotYourQuestion():
            return NOT_YOUR_QUESTION
        case NoBoard():
            return "看板尚未开通，请联系综合办。"
        case evidence.EvidenceTooLarge():
            return (
                f"这个文件有{_megabytes(exc.size)}，超过了佐证材料{_megabytes(exc.limit)}的上限，"
                "未作记录，请压缩或拆分后再发送。"
            )
        case evidence.EvidenceNotAllowed():
            what = f"{exc.suffix}文件" if exc.suffix.startswith(".") else "没有扩展名的文件"
            return (
                f"{what}不能作为佐证保存，未作记录；"
                "请发送照片、PDF、Word/Excel/WPS文档、文本或压缩包。"
            )
        case evidence.EvidenceUnavailable():
            return "没能从聊天中取到这个文件，未作记录，请重新发送。"
        case pause.PauseLeadershipOnly():
            return "只有局领导可以暂停或恢复科室的督办提醒。"
        case pause.PauseNeedsReason():
            return f"请写明暂停原因，如：{PAUSE_EXAMPLE}。"
        case pause.PauseEndsBeforeStart():
            return (
                f"暂停的结束日期（{day(exc.last)}）早于开始日期（{day(exc.first)}），"
                f"未作变更，请重新写，如：{PAUSE_EXAMPLE}。"
            )
        case pause.PauseBeyondPlanYear():
            return (
                f"暂停最晚到{exc.limit.year}年12月31日，{day(exc.last, exc.limit)}超出了本年度，"
                f"未作变更；请写今年的日期，如：{PAUSE_EXAMPLE}。"
            )
        case pause.NotPaused():
            return f"{exc.unit}目前没有暂停，无需恢复。"
    return _leadership_error(exc) or SORRY


def _megabytes(size: int) -> str:
    """Return a size as people say it: 20MB, 35MB, 2.5MB, 800KB."""
    value = size / (1024 * 1024)
    if value < 1:
        return f"{max(1, round(size / 1024))}KB"
    return f"{value:.0f}MB" if value >= 10 or value == int(value) else f"{value:.1f}MB"


def _not_extendable(exc: errors.NotExtendable) -> str:
    reasons = {
        "ongoing": "是持续推进的工作，没有截止日期，无需申请延期",
        "period": "只有工作时段（如上半年），没有截止日期，无需申请延期",
        "done": "的节点均已完成，无需申请延期",
        "not_deadline": "的这个节点不是截止节点，无法申请延期",
        "event": "的节点尚待触发，触发后才起算完成时限，无需申请延期",
    }
    return f"{exc.task_id} {reasons.get(exc.why, '无法申请延期')}。"


# ---- pause --------------------------------------------------------------------------------

PAUSE_EXAMPLE = "暂停 社区科 至7月15日 防汛抢险"
PAUSE_USAGE = f"请写科室、截止日期和原因，如：{PAUSE_EXAMPLE}"
RESUME_USAGE = "请写科室，如：恢复 社区科"


def paused(held: pause.Pause, today: date) -> str:
    """Confirm a unit's pause: until when, why, and what it means."""
    since = "" if held.first <= today else f"自{day_week(held.first, today)}起"
    return (
        f"已暂停 {held.unit} {since}至{day_week(held.last, today)}：{held.reason}，"
        "期间不发提醒，逾期不计。"
    )


def resumed(ended: pause.Pause, today: date) -> str:
    """Confirm that a unit's reminders resume (or that a planned pause is off)."""
    if ended.first > today:
        return f"已取消 {ended.unit} 自{day_week(ended.first, today)}起的暂停，督办提醒照常。"
    return (
        f"已恢复 {ended.unit} 的督办提醒（原定暂停至{day(ended.last, today)}），"
        "今天起照常提醒，逾期照常计算。"
    )


BOARD_START_PRIVATELY = "请先私聊督办助手发送 /start，再在这里发送 看板，登录链接会私下发给您。"


def board_link(url: str, until: str, unit: str | None) -> str:
    """Return a login link to the board, for one person's eyes."""
    what = "全局看板" if unit is None else f"{unit}看板"
    return f"{what}登录链接（仅限本人使用一次，{until}前有效）：\n{url}"


def board_link_sent(name: str) -> str:
    """Say in a group that the link went to the person privately."""
    return f"看板登录链接已私信发给{name}。"


UNKNOWN_COMMAND = "没有这个命令，发送 /help 查看可用命令。"
UPCOMING_USAGE = "请写天数，如 /upcoming 14"
REPORT_USAGE = (
    "请写任务编号和进展，如：/report 2.3 60% 已签约3家；也可写 /report 2.3 已完成 协议已签署。"
)
HISTORY_USAGE = "请写任务编号，如：/history 2.3"
DIGEST_LEADERSHIP_ONLY = "督办周报和台账只发给局领导。"
CHART_CAPTION = "各科室进展图"
LEDGER_FILE = "督办台账.xlsx"


def ledger_caption(rows: int, entries: int, now: datetime, tz: ZoneInfo) -> str:
    """Describe the exported ledger."""
    return f"督办台账 · 截至{day(local(now, tz).date())} · {rows}项，{entries}条进展记录"


# ---- sign-off (销号), 撤回 and 催办 ------------------------------------------------------------

WITHDRAW_USAGE = "请写任务编号，如：撤回 2.3"
_REVIEW_FOOTER = "请逐项点 通过 或 退回（退回需写明原因）。"
_VERDICT_WORDS = {"pass": "已通过", "return": "已退回", "withdraw": "已撤回"}


def ask_return_reason(task_id: str | None, unit: str | None) -> str:
    """Ask a leader why a report goes back (the answer is sent to the unit)."""
    what = f"{unit or ''} {task_id or ''}".strip()
    return f'退回 {what}：请回复退回原因，如"照片不清晰，请补充验收材料"，将转告科室。'


def signed_off(decided: Decided) -> str:
    """Confirm a 通过."""
    return f"已通过 {decided.entry.unit} {decided.entry.task_id}，本节点办结，已告知科室。"


def returned(decided: Decided) -> str:
    """Confirm a 退回 and say what the unit was told."""
    reason = decided.steps[0].reason or ""
    return (
        f"已退回 {decided.entry.unit} {decided.entry.task_id}：{reason}。"
        "已告知科室，督办提醒恢复。"
    )


def withdrawn(decided: Decided) -> str:
    """Confirm a unit's 撤回."""
    return f"已撤回 {decided.entry.task_id} 的已完成，恢复督办提醒；完成后请重新报送。"


def review_mark(mark: ReviewMark, tz: ZoneInfo) -> str:
    """Return the line added to a 【办结审核】 once an item is settled."""
    step = mark.step
    when = day(local(step.at, tz).date())
    if step.verdict == "withdraw":
        return f"{mark.task_id} {mark.unit}{_VERDICT_WORDS['withdraw']} · {when}"
    reason = f"：{step.reason}" if step.verdict == "return" and step.reason else ""
    return f"{mark.task_id} {_VERDICT_WORDS[step.verdict]}{reason} · {when} {step.by}"


def review_after_decision(
    text: str, marks: Sequence[ReviewMark], finished: bool, tz: ZoneInfo
) -> str:
    """Return a 【办结审核】's text with the settled items noted under it."""
    body = text.rstrip()
    footer = body.endswith(_REVIEW_FOOTER)
    if footer:
        body = body[: -len(_REVIEW_FOOTER)].rstrip()
    result = body + "\n\n" + "\n".join(review_mark(m, tz) for m in marks)
    if footer and not finished:
        result += "\n\n" + _REVIEW_FOOTER
    return result


def urged(done: Urged) -> str:
    """Confirm a 催办."""
    return f"已向{done.unit}发出催办：{done.task_id} {done.title}。"


def _leadership_error(exc: Exception) -> str | None:
    """Return the sentence for a sign-off, 撤回 or 催办 refusal (None: not one of those)."""
    match exc:
        case errors.StaleButton():
            return STALE_BUTTON
        case errors.LeadershipOnlyAction(action="urge"):
            return "只有局领导可以催办，未作记录。"
        case errors.LeadershipOnlyAction():
            return "只有局领导可以验收销号，未作记录。"
        case errors.NotAwaitingSignoff(step=None):
            return f"{exc.unit} {exc.task_id} 目前没有待验收的完成报告，未作改动。"
        case errors.NotAwaitingSignoff(step=step) if (
            step is not None and step.verdict == "withdraw"
        ):
            return f"{exc.unit}已撤回 {exc.task_id} 的已完成，无需审核，未作改动。"
        case errors.NotAwaitingSignoff(step=step) if step is not None:
            verb = "通过" if step.verdict == "pass" else "退回"
            return f"{exc.unit} {exc.task_id} 已由{step.by}{verb}，未作改动。"
        case errors.ReasonNeeded():
            return '请写明退回原因，如"照片不清晰，请补充验收材料"。'
        case errors.NothingToWithdraw(signed=True):
            return f"{exc.task_id} 已通过验收办结，不能撤回。"
        case errors.NothingToWithdraw():
            return f"{exc.task_id} 没有待验收的已完成，无需撤回。"
        case errors.NothingToUrge():
            return f"{exc.unit} {exc.task_id} 目前没有逾期或临近的节点，无需催办。"
        case errors.AlreadyUrged():
            return f"今天已催办过{exc.unit} {exc.task_id}，明天可再次催办。"
        case errors.UnitWithoutChat():
            return f"{exc.unit}尚未绑定会话，无法催办。"
    return None
