"""/report TASK note… and /history TASK: report progress in one line, read the ledger back."""

from __future__ import annotations

from telegram import Update

from bot import ledger, render, views
from bot.callbacks import Answer
from bot.context import CustomContext
from bot.handlers.common import reporter_name, require_binding, say
from bot.handlers.status import TASK_ID
from storage.errors import NotOwner, UnknownTask

# A status word may lead the note: "/report 2.3 已完成 协议已签署".
STATUS_WORDS: dict[str, Answer] = {
    "已完成": "done",
    "完成": "done",
    "进行中": "in_progress",
    "遇到困难": "blocked",
    "困难": "blocked",
}


def read_report(words: list[str]) -> tuple[str, Answer, str] | None:
    """Return (task id, answer, note) from the command's words, or None when unreadable."""
    if not words or not TASK_ID.fullmatch(words[0]):
        return None
    rest = words[1:]
    answer: Answer = "in_progress"
    if rest and rest[0] in STATUS_WORDS:
        answer = STATUS_WORDS[rest[0]]
        rest = rest[1:]
    return words[0], answer, " ".join(rest)


async def on_report(update: Update, context: CustomContext) -> None:
    """Record progress on one of this unit's tasks: /report 2.3 60% 已签约3家."""
    binding = await require_binding(update, context)
    chat = update.effective_chat
    if binding is None or chat is None:
        return
    if binding.unit is None:
        await say(update, render.NOT_A_UNIT_CHAT)
        return
    parsed = read_report(list(context.args or []))
    if parsed is None:
        await say(update, render.REPORT_USAGE)
        return
    task_id, answer, text = parsed
    note, percent = ledger.split_percent(text)
    if answer == "blocked" and not note:
        await say(update, render.REPORT_USAGE)
        return
    try:
        await ledger.record(
            context.services,
            binding,
            task_id,
            answer,
            reporter=reporter_name(update),
            chat_id=chat.id,
            update_id=update.update_id,
            note=note,
            percent=percent,
        )
    except (UnknownTask, NotOwner) as exc:
        await say(update, render.error(exc))
        return
    done = answer == "done"
    await say(update, render.report_done(task_id) if done else render.recorded(task_id, answer))
    if answer == "blocked":
        await context.services.after_change()


async def on_history(update: Update, context: CustomContext) -> None:
    """Show every entry of a task (this unit's; leadership sees every owner's)."""
    binding = await require_binding(update, context)
    if binding is None:
        return
    args = context.args or []
    if len(args) != 1 or not TASK_ID.fullmatch(args[0]):
        await say(update, render.HISTORY_USAGE)
        return
    try:
        view = await ledger.task_view(context.services, args[0], binding.unit)
    except UnknownTask as exc:
        await say(update, render.error(exc))
        return
    await say(update, views.history(view.task, binding.unit, view.entries))
