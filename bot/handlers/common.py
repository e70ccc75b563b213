"""Small pieces every handler shares: the binding check and calm replies."""

from __future__ import annotations

from telegram import Message, Update

from bot import ledger, render
from bot.context import CustomContext
from storage.records import BindingRecord


async def say(update: Update, text: str) -> Message | None:
    """Reply in the chat the update came from (long text is split)."""
    message = update.effective_message
    if message is None:
        return None
    sent: Message | None = None
    for chunk in render.split_text(text):
        sent = await message.reply_text(chunk, do_quote=False)
    return sent


async def require_binding(update: Update, context: CustomContext) -> BindingRecord | None:
    """Return the chat's binding; an unbound chat is told how to bind and nothing more."""
    chat = update.effective_chat
    if chat is None:
        return None
    binding = await ledger.binding_of(context.services, chat.id)
    if binding is None:
        await say(update, render.HOW_TO_BIND)
    return binding


def reporter_name(update: Update) -> str:
    """Return who is reporting, as people in the office would write it."""
    user = update.effective_user
    return user.full_name if user is not None else "未知"
