"""Answering a prompt: a tap asks for what is needed, the reply records it, the prompt updates."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import ForceReply, Message, Update

from bot import dates_reply, ledger, render
from bot.callbacks import AnswerTap, decode
from bot.context import CustomContext, PendingAsk
from bot.handlers.common import reporter_name, say
from bot.handlers.prompts import mark_prompt, remember_prompt
from bot.handlers.status import TASK_ID
from plan_data.errors import DubanError
from storage.records import BindingRecord, OutboxItemRecord

log = logging.getLogger(__name__)

# Photos sent this long after 已完成 still count as its evidence.
EVIDENCE_WINDOW = timedelta(hours=2)
# Questions and prompts remembered per chat; older ones are read back from their text.
REMEMBERED = 200


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
    ask = PendingAsk(
        tap.answer, item.task_id, item.milestone_id, item.id, prompt.message_id if prompt else None
    )
    if tap.answer == "done":
        await query.answer(render.report_done(item.task_id))
        await _record_done(update, context, binding, ask)
        return
    await query.answer()
    await _ask(context, chat.id, render.ask_for(tap.answer, item.task_id), ask)


async def _ask(context: CustomContext, chat_id: int, text: str, ask: PendingAsk) -> None:
    """Send a question whose reply completes `ask`."""
    # Not selective: the question replies to no one's message, so a selective ForceReply
    # would reach nobody in a group.
    question = await context.bot.send_message(
        chat_id, text, reply_markup=ForceReply(input_field_placeholder=ask.task_id)
    )
    asks = context.state.asks
    asks[question.message_id] = ask
    while len(asks) > REMEMBERED:
        asks.pop(next(iter(asks)))


async def _record_done(
    update: Update, context: CustomContext, binding: BindingRecord, ask: PendingAsk
) -> None:
    """Record 已完成 at once; the follow-up question takes an optional note or evidence."""
    entry = await ledger.record(
        context.services,
        binding,
        ask.task_id,
        "done",
        reporter=reporter_name(update),
        chat_id=binding.chat_id,
        update_id=update.update_id,
        milestone_id=ask.milestone_id,
    )
    if ask.prompt_message_id is not None and ask.item_id is not None:
        await mark_prompt(update, context, ask.prompt_message_id, ask.item_id, ask.task_id, "done")
    follow_up = PendingAsk("done", ask.task_id, ask.milestone_id, entry_id=entry.id)
    await _ask(context, binding.chat_id, render.done_recorded(ask.task_id), follow_up)
    if update.effective_user is not None:
        now = context.services.now()
        context.state.evidence_for[update.effective_user.id] = (entry.id, ask.task_id, now)


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
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        if chat.type == "private":
            await say(update, render.REPLY_HINT)
        return
    if binding.unit is None:
        await say(update, render.NOT_A_UNIT_CHAT)
        return
    text = message.text
    ask = context.state.asks.pop(replied.message_id, None) or _read_back(replied)
    if ask is None:
        item = await _prompt_item(update, context, binding, replied, text)
        if item is None:
            return
        ask = PendingAsk(
            "in_progress", item.task_id, item.milestone_id, item.id, replied.message_id
        )
        if text.split()[0] == item.task_id:
            text = text[len(item.task_id) :].strip()
    await _complete(update, context, binding, ask, text)


def _read_back(question: Message) -> PendingAsk | None:
    """Rebuild a question's pending answer from its text (the bot restarted since asking)."""
    found = render.read_question(question.text or "")
    if found is None:
        return None
    task_id, answer = found
    return PendingAsk(answer, task_id, None)


async def _prompt_item(
    update: Update, context: CustomContext, binding: BindingRecord, prompt: Message, text: str
) -> OutboxItemRecord | None:
    """Return the item a reply to a prompt is about (its only item, or the id it starts with)."""
    markup = prompt.reply_markup
    if markup is None:
        await say(update, render.REPLY_HINT)
        return None
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    taps = [
        tap
        for d in datas
        if isinstance(tap := decode(d if isinstance(d, str) else None), AnswerTap)
    ]
    items = await ledger.prompt_items(context.services, binding, taps)
    if not items:
        return None
    remember_prompt(context, prompt)
    words = text.split()
    named = [i for i in items if TASK_ID.fullmatch(words[0]) and i.task_id == words[0]]
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
    reporter = reporter_name(update)
    if ask.answer == "extension":
        try:
            new_date, reason = dates_reply.read_new_date(text, services.now(), services.tz)
            ext = await ledger.request_extension(
                services, binding, ask.task_id, ask.milestone_id, new_date, reason,
                reporter=reporter, chat_id=binding.chat_id, update_id=update.update_id,
            )  # fmt: skip
        except DubanError as exc:
            # Ask again; the reply to this question is read the same way.
            await _ask(
                context, binding.chat_id, render.ask_again(ask.task_id, render.error(exc)), ask
            )
            return
        confirmation = render.extension_filed(ext, render.local(services.now()).date())
    else:
        note, percent = ledger.split_percent(text)
        try:
            await ledger.record(
                services, binding, ask.task_id, ask.answer,
                reporter=reporter, chat_id=binding.chat_id, update_id=update.update_id,
                note=note, percent=percent, milestone_id=ask.milestone_id,
            )  # fmt: skip
        except DubanError as exc:
            await say(update, render.error(exc))
            return
        confirmation = render.recorded(ask.task_id, ask.answer)
    # The prompt changes first, so whoever reads the confirmation sees the prompt updated.
    if ask.prompt_message_id is not None and ask.item_id is not None and ask.answer != "done":
        await mark_prompt(
            update, context, ask.prompt_message_id, ask.item_id, ask.task_id, ask.answer
        )
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
    ask = context.state.asks.get(replied.message_id) if replied is not None else None
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
