"""Downloads: the 台账 workbook and the three documents, each within what a session may see.

Each handler imports the report it builds: the server starts (and most visits go) without
the document and workbook writers.
"""

from __future__ import annotations

import io
from datetime import date

from aiohttp import web

from plan_data.errors import DubanError
from storage.errors import NotOwner, UnknownTask
from storage.web_access import WebAccess
from web.context import BOARD, Board
from web.pages import FORBIDDEN, disposition

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(body: bytes, kind: str, name: str) -> web.Response:
    response = web.Response(body=body, content_type=kind)
    response.headers["Content-Disposition"] = disposition("attachment", name)
    return response


def _refused(board: Board, text: str, status: int = 400) -> web.Response:
    return board.render("message.html", status=status, heading="无法生成该文件", lines=(text,))


async def ledger(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Return the whole 台账 workbook as of now (leadership)."""
    from reports.ledger_xlsx import write_ledger

    board = request.app[BOARD]
    now = board.clock.now()
    buffer = io.BytesIO()
    await write_ledger(board.db, buffer, now, tz=board.tz, rules=board.config.rules)
    day = now.astimezone(board.tz).date()
    return _file(buffer.getvalue(), XLSX, f"督办台账-{day:%Y%m%d}.xlsx")


async def notice(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Return the 督办通知单 of one (task, unit) the session may see."""
    from reports.documents import notice_document

    board = request.app[BOARD]
    task, unit = request.match_info["task"], request.match_info["unit"]
    if not access.may_see(unit):
        return board.render("message.html", status=403, **FORBIDDEN)
    try:
        body = await notice_document(
            board.db, task, unit, board.clock.now(), board.tz,
            templates_dir=board.config.templates_dir,
        )  # fmt: skip
    except DubanError as exc:
        return _refused(board, _why(exc))
    return _file(body, DOCX, f"督办通知单-{task}-{unit}.docx")


async def bulletin(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Return the 督查通报 of a week (?week=DAY) or a month (?month=YYYY-MM) (leadership)."""
    from reports.documents import bulletin_document, month_period, week_period

    board = request.app[BOARD]
    try:
        if "month" in request.query:
            period = month_period(request.query["month"])
        else:
            period = week_period(date.fromisoformat(request.query.get("week", "")))
    except ValueError:
        return _refused(board, "请指定周（week=2022-06-27）或月份（month=2022-06）。")
    body = await bulletin_document(
        board.db, period, board.clock.now(), board.tz, templates_dir=board.config.templates_dir
    )
    return _file(body, DOCX, f"督查通报-{period.label}.docx")


async def summary(request: web.Request, access: WebAccess) -> web.StreamResponse:
    """Return the 落实情况报告 of a half (?half=1|2) or year (?year=1), a unit or the bureau."""
    from reports.documents import half_period, summary_document, year_period

    board = request.app[BOARD]
    unit = request.query.get("unit") or None
    if unit is None and not access.is_leadership:
        unit = access.unit
    if unit is not None and not access.may_see(unit):
        return board.render("message.html", status=403, **FORBIDDEN)
    year = board.clock.now().astimezone(board.tz).year
    try:
        if request.query.get("half") in ("1", "2"):
            period = half_period(int(request.query.get("y", year)), int(request.query["half"]))
        else:
            period = year_period(int(request.query.get("y", year)))
    except ValueError:
        return _refused(board, "请指定上半年（half=1）、下半年（half=2）或全年。")
    try:
        body = await summary_document(
            board.db, period, unit, board.clock.now(), board.tz,
            templates_dir=board.config.templates_dir,
        )  # fmt: skip
    except DubanError as exc:
        return _refused(board, _why(exc))
    return _file(body, DOCX, f"{unit or '全局'}{period.label}工作要点落实情况报告.docx")


def _why(exc: DubanError) -> str:
    from reports.documents import NothingToUrge

    if isinstance(exc, NothingToUrge):
        return "该事项已办结，无需督办。"
    if isinstance(exc, NotOwner):
        return "该科室不承担此项任务。"
    if isinstance(exc, UnknownTask):
        return "没有这项任务。"
    return "参数有误，请从看板页面进入。"
