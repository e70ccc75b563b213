"""Leadership's [同意][不同意] on an extension request; the unit hears the outcome at once."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest

from bot import ledger, render
from bot.callbacks import DecisionTap, decode, may_decide
from bot.context import CustomContext
from bot.handlers.common import reporter_name
from storage.errors import ExtensionAlreadyDecided, UnknownExtension

log = logging.getLogger(__name__)


async def on_decision(update: Update, context: CustomContext) -> None:
    """Approve or reject an extension; only a leadership chat may, and only once."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    tap = decode(query.data)
    if not isinstance(tap, DecisionTap):
        await query.answer(render.STALE_BUTTON)
        return
    services = context.services
    binding = await ledger.binding_of(services, chat.id)
    if binding is None or not may_decide(binding.is_leadership):
        await query.answer(render.LEADERSHIP_ONLY, show_alert=True)
        return
    try:
        ext = await ledger.decide(
            services, binding, tap.extension_id, tap.approve, reporter_name(update)
        )
    except (ExtensionAlreadyDecided, UnknownExtension) as exc:
        await query.answer(render.error(exc), show_alert=True)
        return
    await query.answer(render.decision_mark(ext, render.local(services.now()).date()))
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        today = render.local(services.now()).date()
        text = f"{message.text or ''}\n\n{render.decision_mark(ext, today)}"
        try:
            await message.edit_text(text, reply_markup=None)
        except BadRequest as exc:
            log.info("extension request message not edited: %s", exc)
    await services.after_change()
