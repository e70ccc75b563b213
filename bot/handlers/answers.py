"""Answering a prompt: a tap asks for what is needed, the reply records it, the prompt updates."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest

from bot import dates_reply, ledger, render
from bot.callbacks import Answer, AnswerTap, decode
from bot.context import CustomContext, PendingAsk, PromptView
from bot.handlers.common import reporter_name, say
from bot.handlers.status import TASK_ID
from plan_data.errors import DubanError
from storage.records import BindingRecord, OutboxItemRecord

log = logging.getLogger(__name__)

# Photos sent this long after 已完成 still count as its evidence.
EVIDENCE_WINDOW = timedelta(hours=2)


async def on_tap(update: Update, context: CustomContext) -> None:
    """Handle a tap on a prompt: record 已完成 at once, or ask for a note, help or a date."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    tap = decode(query.data)
    if not isinstance(tap, AnswerTap):
        await query.answer(render.STALE_BUTTON)
        return
    binding = await ledger.binding_of(context.services, chat.id)
    if binding is None:
        await query.answer(render.HOW_TO_BIND, show_alert=True)
        return
    try:
        item = await ledger.tapped_item(context.services, binding, tap)
    except ledger.ForeignButton:
        await query.answer(render.FOREIGN_BUTTON, show_alert=True)
        return
    prompt = query.message if isinstance(query.message, Message) else None
    if prompt is not None:
        remember_prompt(context, prompt)
    if tap.answer == "done":
        await _record_done(update, context, binding, item, prompt, query)
        return
    await query.answer()
    question = await context.bot.send_message(
        chat.id,
        render.ask_for(tap.answer, item.task_id),
        reply_markup=ForceReply(selective=True, input_field_placeholder=item.task_id),
    )
    context.state.asks[question.message_id] = PendingAsk(
        item.outbox_id,
        item.id,
        tap.answer,
        item.task_id,
        item.unit,
        prompt.message_id if prompt else None,
    )


async def _record_done(
    update: Update,
    context: CustomContext,
    binding: BindingRecord,
    item: OutboxItemRecord,
    prompt: Message | None,
    query: CallbackQuery,
) -> None:
    chat_id = binding.chat_id
    entry = await ledger.record(
        context.services,
        binding,
        item.task_id,
        "done",
        reporter=reporter_name(update),
        chat_id=chat_id,
        update_id=update.update_id,
        milestone_id=item.milestone_id,
    )
    await query.answer(render.report_done(item.task_id))
    if prompt is not None:
        await mark_prompt(update, context, prompt.message_id, item, "done")
    question = await context.bot.send_message(
        chat_id, render.done_recorded(item.task_id), reply_markup=ForceReply(selective=True)
    )
    context.state.asks[question.message_id] = PendingAsk(
        item.outbox_id, item.id, "done", item.task_id, item.unit, None, entry.id
    )
    if update.effective_user is not None:
        context.state.evidence_for[update.effective_user.id] = (
            entry.id,
            item.task_id,
            context.services.now(),
        )


async def on_text(update: Update, context: CustomContext) -> None:
    """Take a reply to a question or to a prompt as the answer it completes."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    replied = message.reply_to_message
    binding = await ledger.binding_of(context.services, chat.id)
    if binding is None:
        if chat.type == "private" or replied is not None:
            await say(update, render.HOW_TO_BIND)
        return
    if replied is None:
        if chat.type == "private":
            await say(update, render.REPLY_HINT)
        return
    ask = context.state.asks.pop(replied.message_id, None)
    if ask is not None:
        await _complete(update, context, binding, ask, message.text)
        return
    item = await _prompt_item(update, context, binding, replied, message.text)
    if item is None:
        return
    ask = PendingAsk(
        item.outbox_id, item.id, "in_progress", item.task_id, item.unit, replied.message_id
    )
    text = message.text
    if TASK_ID.match(text) and text.split()[0] == item.task_id:
        text = text[len(item.task_id) :].strip()
    await _complete(update, context, binding, ask, text)


async def _prompt_item(
    update: Update, context: CustomContext, binding: BindingRecord, prompt: Message, text: str
) -> OutboxItemRecord | None:
    """Return the item a reply to a prompt is about (its only item, or the id it starts with)."""
    markup = prompt.reply_markup
    if markup is None or binding.unit is None:
        return None
    taps = [
        tap
        for row in markup.inline_keyboard
        for button in row
        if isinstance(
            tap := decode(button.callback_data if isinstance(button.callback_data, str) else None),
            AnswerTap,
        )
    ]
    items = await ledger.prompt_items(context.services, binding, taps)
    if not items:
        return None
    remember_prompt(context, prompt)
    leading = text.split()[0] if text.split() else ""
    named = [i for i in items if i.task_id == leading]
    if named:
        return named[0]
    if len(items) == 1:
        return items[0]
    await say(update, render.WHICH_ITEM)
    return None


async def _complete(
    update: Update, context: CustomContext, binding: BindingRecord, ask: PendingAsk, text: str
) -> None:
    """Record what a reply answers, confirm it, and update the prompt."""
    services = context.services
    chat_id = binding.chat_id
    item = await ledger.tapped_item(
        services, binding, AnswerTap(ask.outbox_id, ask.item_id, ask.answer)
    )
    reporter = reporter_name(update)
    if ask.answer == "extension":
        try:
            new_date, reason = dates_reply.read_new_date(text, services.now(), services.tz)
            ext = await ledger.request_extension(
                services,
                binding,
                item,
                new_date,
                reason,
                reporter=reporter,
                chat_id=chat_id,
                update_id=update.update_id,
            )
        except DubanError as exc:
            # Ask again; the reply to this question is read the same way.
            question = await context.bot.send_message(
                chat_id, render.error(exc), reply_markup=ForceReply(selective=True)
            )
            context.state.asks[question.message_id] = ask
            return
        confirmation = render.extension_filed(ext, render.local(services.now()).date())
    else:
        note, percent = ledger.split_percent(text)
        await ledger.record(
            services,
            binding,
            item.task_id,
            ask.answer,
            reporter=reporter,
            chat_id=chat_id,
            update_id=update.update_id,
            note=note,
            percent=percent,
            milestone_id=item.milestone_id,
        )
        confirmation = render.recorded(item.task_id, ask.answer)
    # The prompt changes first, so whoever reads the confirmation sees the prompt updated.
    if ask.prompt_message_id is not None and ask.answer != "done":
        await mark_prompt(update, context, ask.prompt_message_id, item, ask.answer)
    await say(update, confirmation)
    if ask.answer in ("blocked", "extension"):
        await services.after_change()


async def on_evidence(update: Update, context: CustomContext) -> None:
    """Keep a photo or file sent after 已完成 as that entry's evidence."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or user is None:
        return
    binding = await ledger.binding_of(context.services, chat.id)
    if binding is None:
        if chat.type == "private":
            await say(update, render.HOW_TO_BIND)
        return
    target = None
    replied = message.reply_to_message
    if replied is not None:
        ask = context.state.asks.get(replied.message_id)
        if ask is not None and ask.entry_id is not None:
            target = (ask.entry_id, ask.task_id)
    recent = context.state.evidence_for.get(user.id)
    fresh = recent is not None and context.services.now() - recent[2] <= EVIDENCE_WINDOW
    if target is None and recent is not None and fresh:
        target = (recent[0], recent[1])
    if target is None:
        await say(update, render.EVIDENCE_HINT)
        return
    if message.photo:
        file_id, kind = message.photo[-1].file_id, "photo"
    elif message.document is not None:
        file_id, kind = message.document.file_id, "document"
    else:
        return
    await ledger.attach(context.services, target[0], file_id, kind)
    await say(update, render.evidence_saved(target[1]))


def remember_prompt(context: CustomContext, prompt: Message) -> None:
    """Keep a prompt's text and buttons the first time it is touched, for later edits."""
    if prompt.message_id in context.state.prompts:
        return
    rows = [
        [(b.text, b.callback_data) for b in row if isinstance(b.callback_data, str)]
        for row in (prompt.reply_markup.inline_keyboard if prompt.reply_markup else ())
    ]
    context.state.prompts[prompt.message_id] = PromptView(prompt.text or "", rows)


async def mark_prompt(
    update: Update, context: CustomContext, message_id: int, item: OutboxItemRecord, answer: Answer
) -> None:
    """Edit the prompt in place: note what was recorded, drop that item's buttons."""
    chat = update.effective_chat
    view = context.state.prompts.get(message_id)
    if chat is None or view is None:
        return
    view.rows = [
        row
        for row in view.rows
        if not any(
            isinstance(t := decode(data), AnswerTap) and t.item_id == item.id for _, data in row
        )
    ]
    today = render.local(context.services.now()).date()
    view.marks.append(render.prompt_mark(item.task_id, answer, today, reporter_name(update)))
    text = render.prompt_after_answer(view.text, view.marks, finished=not view.rows)
    markup = (
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(text, callback_data=data) for text, data in row]
                for row in view.rows
            ]
        )
        if view.rows
        else None
    )
    try:
        await context.bot.edit_message_text(text, chat.id, message_id, reply_markup=markup)
    except BadRequest as exc:
        log.info("prompt %s not edited: %s", message_id, exc)
