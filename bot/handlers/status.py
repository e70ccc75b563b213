"""/status [UNIT|TASK]: lights, latest notes and next dues, worst first."""

from __future__ import annotations

import re

from telegram import Update

from bot import ledger, render, views
from bot.context import CustomContext
from bot.handlers.common import require_binding, say
from plan_data.units import UnknownUnit
from storage.errors import UnknownTask

TASK_ID = re.compile(r"\d+(?:\.\d+)+")


async def on_status(update: Update, context: CustomContext) -> None:
    """Show this unit's status, a named unit's, one task's, or the whole bureau's."""
    binding = await require_binding(update, context)
    if binding is None:
        return
    services = context.services
    wanted = " ".join(context.args or []).strip()
    now = services.now()
    try:
        if TASK_ID.fullmatch(wanted):
            view = await ledger.task_view(services, wanted)
            text = views.task_status(view.task, view.rows, view.entries, now)
        elif wanted:
            unit = services.units.resolve(wanted)
            text = views.unit_status(unit, await ledger.rows_for(services, unit), now)
        elif binding.unit is not None:
            rows = await ledger.rows_for(services, binding.unit)
            text = views.unit_status(binding.unit, rows, now)
        else:
            rows = await ledger.rows_for(services)
            text = views.bureau_status(rows, services.units.units, now)
    except (UnknownUnit, UnknownTask) as exc:
        text = render.error(exc)
    await say(update, text)
