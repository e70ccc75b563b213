"""Login links and sessions for the board: the core-friendly link maker and the /login pages.

`create_login_link` is what every door calls (the CLI's `duban web link`, the chat's
`/看板`). Opening a link shows a small page whose script posts the token back (a chat app's
link preview fetches the page but never posts, so it cannot use up the link); the POST
uses the link once, sets the session cookie and redirects to the board, so the token
leaves the address bar and the history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.web_access import (
    InvalidLoginLink,
    WebAccess,
    check_link,
    create_link,
    redeem_link,
    session_access,
)
from web.config import WebConfig
from web.context import BOARD

SESSION_COOKIE = "duban_session"


async def create_login_link(
    session: AsyncSession, scope: str | None, now: datetime, ttl: timedelta
) -> tuple[str, datetime]:
    """Make a single-use login token for a unit or "leadership" (None); return it and its end.

    Build the URL with `WebConfig.login_url(token)`. Raise InvalidLoginLink for an
    unknown unit.
    """
    link = await create_link(session, scope, now, ttl)
    return link.token, link.expires_at


def home_of(access: WebAccess) -> str:
    """Return the first page a session lands on: the bureau, or its unit's page."""
    return "/" if access.unit is None else f"/unit/{quote(access.unit)}"


async def current_access(request: web.Request) -> WebAccess | None:
    """Return what the request's session cookie opens, or None."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 200:
        return None
    board = request.app[BOARD]
    async with board.db.session(readonly=True) as session:
        return await session_access(session, token, board.clock.now())


async def login_page(request: web.Request) -> web.StreamResponse:
    """Show the page that posts the link's token back, or say the link is no good."""
    board = request.app[BOARD]
    token = request.query.get("t", "")
    try:
        async with board.db.session(readonly=True) as session:
            await check_link(session, token, board.clock.now())
    except InvalidLoginLink:
        return board.render("message.html", status=403, **invalid_link(board.config))
    return board.render("login.html", token=token)


async def login_submit(request: web.Request) -> web.StreamResponse:
    """Use the link once, set the session cookie and go to the board."""
    board = request.app[BOARD]
    if not _same_origin(request, board.config):
        # Another site posting a link of its own would log this browser into its session.
        return board.render("message.html", status=403, **invalid_link(board.config))
    form = await request.post()
    token = form.get("t")
    if not isinstance(token, str):
        return board.render("message.html", status=403, **invalid_link(board.config))
    try:
        async with board.db.session() as session:
            opened = await redeem_link(session, token, board.clock.now(), board.config.session_ttl)
    except InvalidLoginLink:
        return board.render("message.html", status=403, **invalid_link(board.config))
    response = web.Response(status=303, headers={"Location": home_of(opened.access)})
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(board.config.session_ttl.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=board.config.secure_cookies or request.secure,
    )
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_origin(request: web.Request, config: WebConfig) -> bool:
    """Return whether a POST comes from the board's own page (browsers send Origin)."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":  # "null" under our no-referrer policy
        return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")
    allowed = {_origin(config.public_url), f"{request.scheme}://{request.host}".lower()}
    return origin.lower() in allowed


def invalid_link(config: WebConfig) -> dict[str, object]:
    """Return the page for a wrong, used or expired link: how to get a new one, nothing more."""
    hours = round(config.link_ttl.total_seconds() / 3600)
    return {
        "heading": "链接无效或已过期",
        "lines": (
            f"每个看板链接只能打开一次，有效期{hours}小时。",
            "局领导可在领导群发送“看板”获取新链接；各科室请向综合办索取本科室的新链接。",
        ),
    }


LOGIN_NEEDED = {
    "heading": "请先通过看板链接进入",
    "lines": (
        "督办看板只对收到链接的人开放。",
        "请局领导在领导群发送“看板”获取链接，各科室请向综合办索取本科室的链接。",
    ),
}
