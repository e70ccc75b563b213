"""The bot joins or leaves a chat: greet a new group with how to bind; note a removal."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update

from bot import ledger, render
from bot.context import CustomContext

log = logging.getLogger(__name__)

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


async def on_membership(update: Update, context: CustomContext) -> None:
    """Tell a group the bot was just added to how to bind it; log when the bot is removed."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    was = change.old_chat_member.status in _PRESENT
    now = change.new_chat_member.status in _PRESENT
    if now and not was:
        binding = await ledger.binding_of(context.services, chat.id)
        await context.bot.send_message(
            chat.id, render.HOW_TO_BIND if binding is None else render.help_text(binding.unit)
        )
    elif was and not now:
        # Messages to this chat will fail once and be listed by `duban outbox failed`.
        log.warning("the bot was removed from chat %s (%s)", chat.id, chat.title or "private")
