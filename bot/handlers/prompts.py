"""Prompt messages after an answer: edited in place to show what was recorded."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import render
from bot.callbacks import Answer, AnswerTap, decode
from bot.context import CustomContext, PromptView
from bot.handlers.common import reporter_name

log = logging.getLogger(__name__)

# Prompts remembered per chat for editing; a prompt forgotten is simply not edited.
REMEMBERED = 200


def remember_prompt(context: CustomContext, prompt: Message) -> None:
    """Keep a prompt's text and buttons the first time it is touched, for later edits."""
    prompts = context.state.prompts
    if prompt.message_id in prompts:
        return
    rows = [
        [(b.text, b.callback_data) for b in row if isinstance(b.callback_data, str)]
        for row in (prompt.reply_markup.inline_keyboard if prompt.reply_markup else ())
    ]
    prompts[prompt.message_id] = PromptView(prompt.text or "", rows)
    while len(prompts) > REMEMBERED:
        prompts.pop(next(iter(prompts)))


async def mark_prompt(
    update: Update,
    context: CustomContext,
    message_id: int,
    item_id: int,
    task_id: str,
    answer: Answer,
) -> None:
    """Edit the prompt in place: note what was recorded, drop that item's buttons."""
    chat = update.effective_chat
    view = context.state.prompts.get(message_id)
    if chat is None or view is None:
        return
    view.rows = [row for row in view.rows if not _about(row, item_id)]
    today = render.local(context.services.now()).date()
    view.marks.append(render.prompt_mark(task_id, answer, today, reporter_name(update)))
    text = render.prompt_after_answer(view.text, view.marks, finished=not view.rows)
    keyboard = [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row]
        for row in view.rows
    ]
    markup = InlineKeyboardMarkup(keyboard) if keyboard else None
    try:
        await context.bot.edit_message_text(text, chat.id, message_id, reply_markup=markup)
    except BadRequest as exc:
        log.info("prompt %s not edited: %s", message_id, exc)


def _about(row: list[tuple[str, str]], item_id: int) -> bool:
    """Return whether a row of buttons answers the given item."""
    return any(
        isinstance(t := decode(data), AnswerTap) and t.item_id == item_id for _, data in row
    )
