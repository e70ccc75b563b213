"""Login links to the web board (看板), asked for in chat or made by `duban web link`.

A link is single-use and expires (DUBAN_WEB_LINK_HOURS); a unit's link opens that unit's
pages only, leadership's opens all of them. The token is shown once; only its hash is kept.
"""

from __future__ import annotations

from datetime import datetime

from core.errors import DubanError
from core.runtime import Core
from storage.records import BindingRecord
from storage.web_access import create_link
from vocabulary import LEADERSHIP


class NoBoard(DubanError):
    """The board has no public address configured, so no link can be made."""

    def __init__(self) -> None:
        super().__init__("the web board has no address (set DUBAN_PUBLIC_URL)")


def login_url(public_url: str, token: str) -> str:
    """Return the URL that opens the board with a login link's token."""
    return f"{public_url.rstrip('/')}/login?t={token}"


async def board_link(core: Core, binding: BindingRecord) -> tuple[str, datetime]:
    """Make a single-use login link for a bound chat's scope; return its URL and its end."""
    if core.board_url is None:
        raise NoBoard
    scope = binding.unit or LEADERSHIP
    async with core.db.session() as session:
        link = await create_link(session, scope, core.now(), core.board_link_ttl)
    return login_url(core.board_url, link.token), link.expires_at
