"""/tasks, /upcoming [days], /overdue: lists of this unit's (or, for leadership, all) items."""

from __future__ import annotations

from bot import render, views
from bot.dialogue import Conversation
from bot.handlers.common import require_binding
from core import queries, urge

DEFAULT_DAYS = 14
MAX_DAYS = 366


async def on_tasks(convo: Conversation, args: list[str]) -> None:
    """List every task of this unit (leadership: of the plan), in plan order."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    rows = await queries.rows(core, binding.unit)
    await convo.say(views.task_list(binding.unit, rows, core.now(), core.tz))


async def on_upcoming(convo: Conversation, args: list[str]) -> None:
    """List open items due within the next N days (14 unless given)."""
    binding = await require_binding(convo)
    if binding is None:
        return
    days = DEFAULT_DAYS
    if args:
        if not args[0].isdigit():
            await convo.say(render.UPCOMING_USAGE)
            return
        days = max(1, min(int(args[0]), MAX_DAYS))
    core = convo.core
    due = queries.due_within(days, await queries.rows(core, binding.unit), core.today())
    await convo.say(views.upcoming(binding.unit, days, due, core.now(), core.tz))


async def on_overdue(convo: Conversation, args: list[str]) -> None:
    """List items past their due date and not done."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    late = queries.overdue(await queries.rows(core, binding.unit))
    text = views.overdue(binding.unit, late, core.now(), core.tz)
    # Leadership may nudge each overdue item from here (催办).
    buttons = await urge.urge_buttons(core, late, with_unit=True) if binding.is_leadership else ()
    if buttons:
        await convo.ask(text, buttons)
    else:
        await convo.say(text)
