"""/bind CODE and /unbind: join a chat to a unit (or the leadership) with a one-time code."""

from __future__ import annotations

from telegram import Update

from bot import ledger, render
from bot.context import CustomContext
from bot.handlers.common import say
from storage.errors import InvalidInvite


async def on_bind(update: Update, context: CustomContext) -> None:
    """Bind this chat with an invite code from the admin."""
    chat = update.effective_chat
    if chat is None:
        return
    if not context.args:
        await say(update, render.BIND_USAGE)
        return
    try:
        binding = await ledger.bind_chat(
            context.services, chat.id, "".join(context.args), chat.title or chat.full_name
        )
    except InvalidInvite:
        await say(update, render.INVALID_INVITE)
        return
    await say(update, render.bound(binding.unit))


async def on_unbind(update: Update, context: CustomContext) -> None:
    """Unbind this chat; it stops receiving prompts."""
    chat = update.effective_chat
    if chat is None:
        return
    previous = await ledger.unbind_chat(context.services, chat.id)
    if previous is None:
        await say(update, render.HOW_TO_BIND)
        return
    await say(update, render.unbound(previous.unit))
