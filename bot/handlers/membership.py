"""The bot joins or leaves a chat: greet a new group with how to bind; note a removal."""

from __future__ import annotations

import logging

from bot import render
from bot.dialogue import Conversation

log = logging.getLogger(__name__)


async def on_joined(convo: Conversation) -> None:
    """Tell a chat the bot was just added to how to bind it (or what it can do)."""
    binding = await convo.binding()
    await convo.say(render.HOW_TO_BIND if binding is None else render.help_text(binding.unit))


async def on_left(convo: Conversation) -> None:
    """Log that the bot was removed; messages to a bound chat will fail and be listed."""
    chat = convo.incoming.chat
    # Only a bound chat's removal is news to the operator; a stranger's group is not.
    bound = await convo.binding() is not None
    log.log(logging.WARNING if bound else logging.INFO,
            "the bot was removed from %s%s chat %s (%s)", "bound " if bound else "",
            chat.channel, chat.address, convo.incoming.title or "private")  # fmt: skip
