"""The board's aiohttp routes, mountable beside the WeCom callback in one server.

`build_web_routes(db, clock, tz, config)` returns a new application, or adds the routes to
the one passed as `app` (`duban run` mounts them next to `/wecom/callback`). Every page is
read-only (GET/HEAD); the only POST is /login, which uses a link once. Each response of
the board carries the security headers; no handler here touches a WeCom route.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from scheduler.clock import Clock
from storage.database import Database
from storage.web_access import WebAccess
from web import downloads, pages
from web.auth import LOGIN_NEEDED, current_access, login_page, login_submit
from web.config import WebConfig
from web.context import BOARD, Board

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Page = Callable[[web.Request, WebAccess], Awaitable[web.StreamResponse]]


def _secured(handler: Handler) -> Handler:
    """Add the security headers and the server time to every response of a handler."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects raised by handlers
            response = web.Response(status=exc.status, headers=exc.headers, text=exc.text)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    return wrapped


def _page(page: Page, *, leadership_only: bool = False) -> Handler:
    """Require a live session (and leadership, if asked) before showing a page."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        board = request.app[BOARD]
        access = await current_access(request)
        if access is None:
            return board.render("message.html", status=401, **LOGIN_NEEDED)
        if leadership_only and not access.is_leadership:
            return board.render("message.html", status=403, **pages.FORBIDDEN)
        return await page(request, access)

    return _secured(wrapped)


def _static_files() -> dict[str, tuple[bytes, str]]:
    return {
        path.name: (path.read_bytes(), STATIC_TYPES.get(path.suffix, "application/octet-stream"))
        for path in STATIC.iterdir()
        if path.suffix in STATIC_TYPES
    }


def _static_handler(files: dict[str, tuple[bytes, str]]) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        found = files.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404, text="not found")
        body, kind = found
        response = web.Response(body=body, content_type=kind)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    return _secured(serve)


def build_web_routes(
    db: Database,
    clock: Clock,
    tz: ZoneInfo,
    config: WebConfig,
    app: web.Application | None = None,
) -> web.Application:
    """Add the board's routes (and its resources) to `app`, or to a new application."""
    app = app if app is not None else web.Application()
    app[BOARD] = Board(db=db, clock=clock, tz=tz, config=config)
    app.router.add_get("/", _page(pages.bureau))
    app.router.add_get("/unit/{unit}", _page(pages.unit))
    app.router.add_get("/task/{task}", _page(pages.task))
    app.router.add_get("/chart.png", _page(pages.chart, leadership_only=True))
    app.router.add_get("/evidence/{id}", _page(pages.evidence))
    app.router.add_get("/downloads", _page(pages.downloads))
    app.router.add_get("/download/ledger.xlsx", _page(downloads.ledger, leadership_only=True))
    app.router.add_get("/download/notice/{task}/{unit}.docx", _page(downloads.notice))
    app.router.add_get("/download/bulletin.docx", _page(downloads.bulletin, leadership_only=True))
    app.router.add_get("/download/summary.docx", _page(downloads.summary))
    app.router.add_get("/login", _secured(login_page))
    app.router.add_post("/login", _secured(login_submit))
    app.router.add_get("/static/{name}", _static_handler(_static_files()))
    return app


def settle_heap() -> None:
    """Tune the garbage collector for a process that only serves pages (`duban web`).

    Building a bureau page of a large plan allocates a few hundred thousand short-lived
    objects; with the default thresholds the collector runs hundreds of times per page
    and rescans everything start-up loaded (a quarter of the page's CPU time). Freezing
    the start-up heap and collecting the young generation less often removes most of it.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


async def serve_board(
    db: Database, clock: Clock, tz: ZoneInfo, config: WebConfig, host: str, port: int
) -> web.AppRunner:
    """Start the board alone on host:port (`duban web`); the caller cleans the runner up."""
    runner = web.AppRunner(build_web_routes(db, clock, tz, config), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    settle_heap()
    return runner
