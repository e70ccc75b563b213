"""Small pieces every handler shares: the binding check and who is reporting."""

from __future__ import annotations

import re
from datetime import timedelta

from bot import render
from bot.dialogue import Conversation
from core.actor import Reporter
from storage.records import BindingRecord

TASK_ID = re.compile(r"\d+(?:\.\d+)+")
# Taps on one button by one person within this long record once (a person who saw no answer
# presses again, perhaps after a restart of the service: that is still one fact).
TAP_WINDOW = timedelta(minutes=10)


async def require_binding(convo: Conversation) -> BindingRecord | None:
    """Return the chat's binding; an unbound chat is told how to bind and nothing more."""
    binding = await convo.binding()
    if binding is None:
        await convo.tell(render.HOW_TO_BIND, alert=True)
    return binding


def reporter(convo: Conversation, binding: BindingRecord) -> Reporter:
    """Return who is acting, as the ledger records it."""
    incoming = convo.incoming
    return Reporter(
        name=incoming.person.name,
        source=incoming.chat.channel,
        chat_id=binding.chat_id,
        key=incoming.key,
        repeat_within=TAP_WINDOW if incoming.event == "press" else None,
    )
