"""The board's pages: the bureau, a unit, a task, the chart and evidence files (all read-only).

The view models (`web.views`) are loaded with the first page, as the templates are: `duban
run` starts without them.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from reports.digest import compute_digest
from reports.source import read_report_input
from storage.board_queries import evidence_owner, ledger_fingerprint
from storage.errors import UnknownTask
from storage.plans import current_plan
from storage.web_access import WebAccess
from web.auth import home_of
from web.context import BOARD
from web.evidence import content_type

if TYPE_CHECKING:
    from web.views import BureauView

NOT_FOUND = {"heading": "未找到该页面", "lines": ("请从看板首页进入。",)}
FORBIDDEN = {
    "heading": "无权查看",
    "lines": ("本链接只能查看本科室的事项。需要查看其他内容请联系综合办。",),
}


async def bureau(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Show the whole bureau (leadership); a unit's session goes to its own page."""
    from web.views import bureau_view

    if not access.is_leadership:
        raise web.HTTPSeeOther(home_of(access))
    board = request.app[BOARD]
    now = board.clock.now()
    async with board.db.session(readonly=True) as session:
        fingerprint = await ledger_fingerprint(session)

    async def build() -> BureauView:
        async with board.db.session(readonly=True) as session:
            return await bureau_view(session, now, board.tz, board.config.rules)

    minute = now.astimezone(board.tz).replace(second=0, microsecond=0)
    view = await board.bureau_cache.get((fingerprint, minute), build)
    return board.render(
        "bureau.html", view=view, access=access, refresh=board.config.refresh_seconds
    )


async def unit(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Show one unit's rows as in /status."""
    from web.views import unit_view

    board = request.app[BOARD]
    name = request.match_info["unit"]
    if not access.may_see(name):
        return board.render("message.html", status=403, **FORBIDDEN)
    async with board.db.session(readonly=True) as session:
        view = await unit_view(session, name, board.clock.now(), board.tz, board.config.rules)
    if view is None:
        return board.render("message.html", status=404, **NOT_FOUND)
    return board.render("unit.html", view=view, access=access)


async def task(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Show a task: milestones, every entry with its files, extensions, closing steps."""
    from web.views import task_view

    board = request.app[BOARD]
    visible = None if access.unit is None else [access.unit]
    try:
        async with board.db.session(readonly=True) as session:
            view = await task_view(
                session,
                request.match_info["task"],
                visible,
                board.clock.now(),
                board.tz,
                board.evidence,
                board.config.rules,
            )
    except UnknownTask:
        return board.render("message.html", status=404, **NOT_FOUND)
    if not view.units:
        return board.render("message.html", status=403, **FORBIDDEN)
    return board.render("task.html", view=view, access=access)


async def chart(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Return the digest's status-per-unit chart as of now (leadership)."""
    from reports.chart import render_chart  # matplotlib: loaded only when a chart is drawn

    board = request.app[BOARD]
    now = board.clock.now()
    async with board.db.session(readonly=True) as session:
        source = await read_report_input(session, now, rules=board.config.rules)
    digest = compute_digest(source.rows, source.extensions, now, source.units, board.tz)
    png = await asyncio.to_thread(render_chart, digest)
    return web.Response(body=png, content_type="image/png")


async def evidence(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Return an evidence file the session may see (images and PDFs inline, others saved)."""
    board = request.app[BOARD]
    try:
        evidence_id = int(request.match_info["id"])
    except ValueError:
        return board.render("message.html", status=404, **NOT_FOUND)
    async with board.db.session(readonly=True) as session:
        owner = await evidence_owner(session, evidence_id)
    if owner is None:
        return board.render("message.html", status=404, **NOT_FOUND)
    if not access.may_see(owner.unit):
        return board.render("message.html", status=403, **FORBIDDEN)
    store = board.evidence
    if store is None or owner.sha256 is None or not store.has(owner.sha256):
        return board.render(
            "message.html",
            status=404,
            heading="附件未保存在服务器上",
            lines=("该附件只保存在聊天记录中，请在对应的群聊中查看。",),
        )
    body = await asyncio.to_thread(store.read, owner.sha256)
    kind, inline = content_type(body)
    name = owner.file_name or f"{owner.task_id}-{owner.unit}-附件{owner.id}"
    disposition_kind = "inline" if inline else "attachment"
    response = web.Response(body=body, content_type=kind)
    response.headers["Content-Disposition"] = disposition(disposition_kind, name)
    # A user's file is never a page of ours: no scripts, no plugins, even if it claims to be.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def downloads(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """List the documents this session may download."""
    board = request.app[BOARD]
    now = board.clock.now().astimezone(board.tz)
    async with board.db.session(readonly=True) as session:
        plan = await current_plan(session)
    units = plan.units if plan is not None and access.unit is None else (access.unit,)
    return board.render(
        "downloads.html",
        access=access,
        units=[u for u in units if u],
        year=now.year,
        month=f"{now.year}-{now.month:02d}",
        week=now.date().isoformat(),
        half=1 if now.month <= 6 else 2,
    )


def disposition(kind: str, name: str) -> str:
    """Return a Content-Disposition header with a Chinese file name (RFC 6266 filename*)."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    # The ASCII fallback keeps only a plain extension: a sent file's name is anyone's text.
    suffix = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""
    return f"{kind}; filename=\"duban{suffix}\"; filename*=UTF-8''{quote(name, safe='')}"
