"""/digest and /export for leadership: the weekly digest with its chart, the ledger (台账)."""

from __future__ import annotations

import asyncio
import io

from bot import render
from bot.dialogue import Conversation
from bot.handlers.common import require_binding
from core.channel import Attachment
from storage.records import BindingRecord


async def _leadership(convo: Conversation) -> BindingRecord | None:
    """Return the binding if it is the leadership's; tell anyone else why not."""
    binding = await require_binding(convo)
    if binding is None:
        return None
    if not binding.is_leadership:
        await convo.say(render.DIGEST_LEADERSHIP_ONLY)
        return None
    return binding


async def on_digest(convo: Conversation, args: list[str]) -> None:
    """Send this week's digest so far, with the status chart."""
    if await _leadership(convo) is None:
        return
    from reports.chart import render_chart  # matplotlib: loaded only when a chart is drawn
    from reports.digest import render_digest
    from reports.source import build_digest

    core = convo.core
    digest = await build_digest(core.db, core.now(), core.tz, core.rules)
    await convo.say(render_digest(digest))
    # matplotlib is synchronous and slow-ish: keep it off the event loop.
    chart = await asyncio.to_thread(render_chart, digest)
    await convo.attach(Attachment(chart, "chart.png", render.CHART_CAPTION, picture=True))


async def on_export(convo: Conversation, args: list[str]) -> None:
    """Send the ledger (台账) as an Excel workbook."""
    if await _leadership(convo) is None:
        return
    from reports.ledger_xlsx import write_ledger  # openpyxl: loaded only for an export

    core = convo.core
    now = core.now()
    stream = io.BytesIO()
    summary = await write_ledger(core.db, stream, now, tz=core.tz, rules=core.rules)
    caption = render.ledger_caption(summary.rows, summary.entries, now, core.tz)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    await convo.attach(Attachment(stream.getvalue(), render.LEDGER_FILE, caption, mime_type=xlsx))
