"""/tasks, /upcoming [days], /overdue: lists of this unit's (or, for leadership, all) items."""

from __future__ import annotations

from telegram import Update

from bot import ledger, render, views
from bot.context import CustomContext
from bot.handlers.common import require_binding, say

DEFAULT_DAYS = 14
MAX_DAYS = 366


async def on_tasks(update: Update, context: CustomContext) -> None:
    """List every task of this unit (leadership: of the plan), in plan order."""
    binding = await require_binding(update, context)
    if binding is None:
        return
    rows = await ledger.rows_for(context.services, binding.unit)
    await say(update, views.task_list(binding.unit, rows, context.services.now()))


async def on_upcoming(update: Update, context: CustomContext) -> None:
    """List open items due within the next N days (14 unless given)."""
    binding = await require_binding(update, context)
    if binding is None:
        return
    days = DEFAULT_DAYS
    if context.args:
        if not context.args[0].isdigit():
            await say(update, render.UPCOMING_USAGE)
            return
        days = max(1, min(int(context.args[0]), MAX_DAYS))
    services = context.services
    now = services.now()
    rows = await ledger.rows_for(services, binding.unit)
    due = ledger.within(days, rows, render.local(now, services.tz).date())
    await say(update, views.upcoming(binding.unit, days, due, now))


async def on_overdue(update: Update, context: CustomContext) -> None:
    """List items past their due date and not done."""
    binding = await require_binding(update, context)
    if binding is None:
        return
    rows = await ledger.rows_for(context.services, binding.unit)
    late = [r for r in rows if r.light == "red"]
    await say(update, views.overdue(binding.unit, late, context.services.now()))
