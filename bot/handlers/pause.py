"""Leadership's 暂停 and 恢复: hold a unit's reminders for a period, and resume them.

    暂停 社区科 至7月15日 防汛抢险        (from today)
    暂停 社区科 7月4日至7月15日 防汛抢险
    恢复 社区科
"""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from bot.handlers.common import require_binding
from core import pause


async def on_pause(convo: Conversation, args: list[str]) -> None:
    """Pause a unit's reminders until a day, with a reason."""
    binding = await require_binding(convo)
    if binding is None:
        return
    pause.check_authority(binding)  # a unit's chat hears this before anything else
    if len(args) < 2:
        await convo.say(render.PAUSE_USAGE)
        return
    core = convo.core
    unit = args[0]
    period = pause.read_period(" ".join(args[1:]), core.now().astimezone(core.tz))
    paused = await pause.pause_unit(
        core,
        binding,
        unit,
        period.last,
        reason=period.reason,
        by=convo.incoming.person.name,
        first=period.first,
    )
    await convo.say(render.paused(paused, core.today()))


async def on_resume(convo: Conversation, args: list[str]) -> None:
    """Resume a paused unit's reminders from today."""
    binding = await require_binding(convo)
    if binding is None:
        return
    pause.check_authority(binding)
    if len(args) != 1:
        await convo.say(render.RESUME_USAGE)
        return
    core = convo.core
    ended = await pause.resume_unit(core, binding, args[0], by=convo.incoming.person.name)
    await convo.say(render.resumed(ended, core.today()))
