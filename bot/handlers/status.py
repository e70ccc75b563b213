"""/status [UNIT|TASK]: lights, latest notes and next dues, worst first."""

from __future__ import annotations

from bot import views
from bot.dialogue import Conversation
from bot.handlers.common import TASK_ID, require_binding
from core import queries, urge


async def on_status(convo: Conversation, args: list[str]) -> None:
    """Show this unit's status, a named unit's, one task's, or the whole bureau's."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    wanted = " ".join(args).strip()
    now = core.now()
    if TASK_ID.fullmatch(wanted):
        view = await queries.task_view(core, wanted)
        text = views.task_status(view.task, view.rows, view.entries, now, core.tz)
    elif wanted:
        unit = core.units.resolve(wanted)
        rows = await queries.rows(core, unit)
        text = views.unit_status(unit, rows, now, core.tz)
        if binding.is_leadership:
            # Leadership may nudge each overdue or due-soon item from here (催办).
            buttons = await urge.urge_buttons(core, rows, with_unit=False)
            if buttons:
                await convo.ask(text, buttons)
                return
    elif binding.unit is not None:
        rows = await queries.rows(core, binding.unit)
        text = views.unit_status(binding.unit, rows, now, core.tz)
    else:
        rows = await queries.rows(core)
        text = views.bureau_status(rows, core.units.units, now, core.tz)
    await convo.say(text)
