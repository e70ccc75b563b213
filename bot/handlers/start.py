"""/start and /help: a bound chat gets its commands, a stranger only learns how to bind."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update

from bot import render
from bot.context import CustomContext
from bot.handlers.common import require_binding, say
from plan_data.errors import DubanError

log = logging.getLogger(__name__)

MENU = [
    BotCommand("status", "进展：本科室、某科室或某项任务"),
    BotCommand("tasks", "本科室的全部任务"),
    BotCommand("upcoming", "近期到期事项，如 /upcoming 14"),
    BotCommand("overdue", "逾期事项"),
    BotCommand("report", "报告进展，如 /report 2.3 已签约3家"),
    BotCommand("history", "某项任务的全部记录"),
    BotCommand("digest", "督办周报（局领导）"),
    BotCommand("export", "导出督办台账（局领导）"),
    BotCommand("bind", "用邀请码绑定本会话"),
    BotCommand("unbind", "解除绑定"),
    BotCommand("help", "使用说明"),
]


async def on_start(update: Update, context: CustomContext) -> None:
    """Explain what this chat can do, or how to bind it."""
    binding = await require_binding(update, context)
    if binding is not None:
        await say(update, render.help_text(binding.unit))


async def on_unknown_command(update: Update, context: CustomContext) -> None:
    """Answer a command the bot does not have (a stranger still only learns how to bind)."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        # In a group the command is probably another bot's: stay quiet.
        return
    binding = await require_binding(update, context)
    if binding is not None:
        await say(update, render.UNKNOWN_COMMAND)


async def on_error(update: object, context: CustomContext) -> None:
    """Log what escaped a handler and tell the person something calm."""
    exc = context.error
    if isinstance(exc, DubanError):
        log.info("domain error: %s", exc)
    else:
        log.error("unhandled error", exc_info=exc)
    if isinstance(update, Update) and update.effective_message is not None:
        text = render.error(exc) if isinstance(exc, Exception) else render.SORRY
        await say(update, text)
