"""/start and /help: a bound chat gets its commands, a stranger only learns how to bind."""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from bot.handlers.common import require_binding


async def on_start(convo: Conversation, args: list[str]) -> None:
    """Explain what this chat can do, or how to bind it."""
    binding = await require_binding(convo)
    if binding is not None:
        await convo.say(render.help_text(binding.unit))


async def on_unknown_command(convo: Conversation, args: list[str]) -> None:
    """Answer a command the bot does not have (a stranger still only learns how to bind)."""
    if not convo.incoming.private:
        # In a group the command is probably another bot's: stay quiet.
        return
    binding = await require_binding(convo)
    if binding is not None:
        await convo.say(render.UNKNOWN_COMMAND)
