"""/report TASK note… and /history TASK: report progress in one line, read the ledger back."""

from __future__ import annotations

from bot import render, views
from bot.dialogue import Conversation
from bot.handlers.common import TASK_ID, reporter, require_binding
from core import progress, queries, rules
from vocabulary import Status, read_status


def read_report(words: list[str]) -> tuple[str, Status, str] | None:
    """Return (task id, status, note) from the command's words, or None when unreadable."""
    if not words or not TASK_ID.fullmatch(words[0]):
        return None
    rest = words[1:]
    status: Status = "in_progress"
    if rest and (named := read_status(rest[0])) is not None and named != "extension":
        status, rest = named, rest[1:]
    return words[0], status, " ".join(rest)


async def on_report(convo: Conversation, args: list[str]) -> None:
    """Record progress on one of this unit's tasks: /report 2.3 60% 已签约3家."""
    binding = await require_binding(convo)
    if binding is None:
        return
    parsed = read_report(args)
    if parsed is None:
        await convo.say(render.REPORT_USAGE)
        return
    task_id, status, text = parsed
    note, percent = rules.split_percent(text)
    entry = await progress.report(
        convo.core,
        binding.unit,
        task_id,
        status,
        by=reporter(convo, binding),
        note=note,
        percent=percent,
    )
    done = status == "done"
    await convo.say(
        render.report_done(task_id, entry) if done else render.recorded(task_id, status, entry)
    )


async def on_history(convo: Conversation, args: list[str]) -> None:
    """Show every entry of a task (this unit's; leadership sees every owner's)."""
    binding = await require_binding(convo)
    if binding is None:
        return
    if len(args) != 1 or not TASK_ID.fullmatch(args[0]):
        await convo.say(render.HISTORY_USAGE)
        return
    core = convo.core
    view = await queries.task_view(core, args[0], binding.unit)
    await convo.say(views.history(view.task, binding.unit, view.entries, core.tz))
