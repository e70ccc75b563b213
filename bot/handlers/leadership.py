"""/digest and /export in the leadership chat: the weekly digest with its chart, the ledger."""

from __future__ import annotations

import asyncio
import io

from telegram import Chat, InputFile, Update

from bot import render
from bot.context import CustomContext
from bot.handlers.common import require_binding, say
from reports.chart import render_chart
from reports.digest import build_digest
from reports.ledger_xlsx import write_ledger
from reports.render import render_digest


async def _leadership_chat(update: Update, context: CustomContext) -> Chat | None:
    """Return the chat if it is bound to leadership; tell anyone else why not."""
    binding = await require_binding(update, context)
    chat = update.effective_chat
    if binding is None or chat is None:
        return None
    if not binding.is_leadership:
        await say(update, render.DIGEST_LEADERSHIP_ONLY)
        return None
    return chat


async def on_digest(update: Update, context: CustomContext) -> None:
    """Send this week's digest so far, with the status chart."""
    chat = await _leadership_chat(update, context)
    if chat is None:
        return
    services = context.services
    digest = await build_digest(services.db, services.now(), services.tz)
    await say(update, render_digest(digest))
    # matplotlib is synchronous and slow-ish: keep it off the event loop.
    chart = await asyncio.to_thread(render_chart, digest)
    await context.bot.send_photo(
        chat.id, InputFile(chart, filename="chart.png"), caption=render.CHART_CAPTION
    )


async def on_export(update: Update, context: CustomContext) -> None:
    """Send the ledger (台账) as an Excel workbook."""
    chat = await _leadership_chat(update, context)
    if chat is None:
        return
    services = context.services
    now = services.now()
    stream = io.BytesIO()
    summary = await write_ledger(services.db, stream, now, tz=services.tz)
    await context.bot.send_document(
        chat.id,
        InputFile(stream.getvalue(), filename=render.LEDGER_FILE),
        caption=render.ledger_caption(summary.rows, summary.entries, now),
    )
