"""催办 in chat: a leader's press under `/status 科室` or `/overdue` prompts the unit at once."""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from bot.handlers.common import reporter, require_binding
from core import urge
from core.buttons import Press
from core.errors import StaleButton


async def on_urge_press(convo: Conversation, press: Press) -> None:
    """Queue a 【局领导催办】 for the pressed item (once per item per day)."""
    binding = await require_binding(convo)
    if binding is None:
        return
    if press.extra is None or press.choice != "now":
        raise StaleButton
    done = await urge.urge(
        convo.core,
        press.target,
        press.extra,
        by=reporter(convo, binding),
        leadership=binding.is_leadership,
    )
    await convo.tell(render.urged(done))
