"""Who may look at the web board: single-use login links and the sessions they open.

A link's token and a session's cookie value are random secrets shown once; only their
sha256 is stored, so a copy of the database opens nothing. A link is for the leadership
(every page) or for one unit (its own pages only).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plan_data.errors import DubanError
from storage.models import UnitRow, WebLinkRow, WebSessionRow
from storage.plans import unit_ids
from storage.records import LEADERSHIP

TOKEN_BYTES = 32


class InvalidLoginLink(DubanError):
    """A login link that is unknown, already used, expired or revoked."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"invalid login link: {reason}")


@dataclass(frozen=True, slots=True)
class WebAccess:
    """What a link or session may see: one unit's pages, or (unit None) everything."""

    unit: str | None

    @property
    def is_leadership(self) -> bool:
        """Return whether every page is open to it."""
        return self.unit is None

    def may_see(self, unit: str) -> bool:
        """Return whether a unit's pages are open to it."""
        return self.unit is None or self.unit == unit

    @property
    def label(self) -> str:
        """Return the unit name, or "leadership"."""
        return self.unit if self.unit is not None else LEADERSHIP


@dataclass(frozen=True, slots=True)
class LoginLink:
    """A fresh login link's secret token (shown once) and what it opens."""

    token: str
    access: WebAccess
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class WebSession:
    """A fresh session's cookie value (shown once), what it opens and when it ends."""

    token: str
    access: WebAccess
    expires_at: datetime


def token_hash(token: str) -> str:
    """Return the sha256 of a token as stored."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


async def create_link(
    session: AsyncSession, scope: str | None, now: datetime, ttl: timedelta
) -> LoginLink:
    """Make a single-use link for a unit (None or "leadership": every page), valid `ttl`."""
    unit = None if scope in (None, LEADERSHIP) else scope
    unit_id = None
    if unit is not None:
        unit_id = (await unit_ids(session)).get(unit)
        if unit_id is None:
            raise InvalidLoginLink(f"unknown unit '{unit}'")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        WebLinkRow(
            token_hash=token_hash(token),
            unit_id=unit_id,
            leadership=unit is None,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return LoginLink(token, WebAccess(unit), now + ttl)


async def check_link(session: AsyncSession, token: str, now: datetime) -> WebAccess:
    """Return what an unused, unexpired link opens, without using it; else raise."""
    _, access = await _usable_link(session, token, now)
    return access


async def redeem_link(
    session: AsyncSession, token: str, now: datetime, session_ttl: timedelta
) -> WebSession:
    """Use a link once and open a browser session; raise InvalidLoginLink otherwise."""
    link_id, access = await _usable_link(session, token, now)
    # The guard on used_at makes two redemptions at once use the link only once.
    claimed = await session.execute(
        update(WebLinkRow)
        .where(WebLinkRow.id == link_id, WebLinkRow.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidLoginLink("already used")
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    unit_id = None if access.unit is None else (await unit_ids(session))[access.unit]
    session.add(
        WebSessionRow(
            session_hash=token_hash(secret),
            link_id=link_id,
            unit_id=unit_id,
            leadership=access.unit is None,
            created_at=now,
            expires_at=now + session_ttl,
        )
    )
    await session.flush()
    return WebSession(secret, access, now + session_ttl)


async def session_access(session: AsyncSession, token: str, now: datetime) -> WebAccess | None:
    """Return what a live session's cookie opens, or None (unknown, expired or revoked)."""
    if not token:
        return None
    row = (
        await session.execute(
            select(WebSessionRow.expires_at, WebSessionRow.revoked_at, UnitRow.name)
            .outerjoin(UnitRow, UnitRow.id == WebSessionRow.unit_id)
            .where(WebSessionRow.session_hash == token_hash(token))
        )
    ).first()
    if row is None:
        return None
    expires_at, revoked_at, unit = row
    if revoked_at is not None or now >= expires_at:
        return None
    return WebAccess(unit)


async def revoke(session: AsyncSession, now: datetime, scope: str | None = None) -> int:
    """End live sessions and unused links of a unit, of the leadership, or (None) all.

    Return how many sessions were ended.
    """
    session_filter = [WebSessionRow.revoked_at.is_(None), WebSessionRow.expires_at > now]
    link_filter = [
        WebLinkRow.revoked_at.is_(None),
        WebLinkRow.used_at.is_(None),
        WebLinkRow.expires_at > now,
    ]
    if scope == LEADERSHIP:
        session_filter.append(WebSessionRow.leadership.is_(True))
        link_filter.append(WebLinkRow.leadership.is_(True))
    elif scope is not None:
        unit_id = (await unit_ids(session)).get(scope)
        if unit_id is None:
            raise InvalidLoginLink(f"unknown unit '{scope}'")
        session_filter.append(WebSessionRow.unit_id == unit_id)
        link_filter.append(WebLinkRow.unit_id == unit_id)
    ended = await session.execute(
        update(WebSessionRow).where(*session_filter).values(revoked_at=now)
    )
    await session.execute(update(WebLinkRow).where(*link_filter).values(revoked_at=now))
    return int(ended.rowcount)  # type: ignore[attr-defined]


async def _usable_link(session: AsyncSession, token: str, now: datetime) -> tuple[int, WebAccess]:
    if not token or len(token) > 200:
        raise InvalidLoginLink("unknown link")
    row = (
        await session.execute(
            select(
                WebLinkRow.id,
                WebLinkRow.expires_at,
                WebLinkRow.used_at,
                WebLinkRow.revoked_at,
                UnitRow.name,
            )
            .outerjoin(UnitRow, UnitRow.id == WebLinkRow.unit_id)
            .where(WebLinkRow.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        raise InvalidLoginLink("unknown link")
    link_id, expires_at, used_at, revoked_at, unit = row
    if used_at is not None:
        raise InvalidLoginLink("already used")
    if revoked_at is not None:
        raise InvalidLoginLink("revoked")
    if now >= expires_at:
        raise InvalidLoginLink("expired")
    return link_id, WebAccess(unit)


__all__ = [
    "InvalidLoginLink",
    "LoginLink",
    "WebAccess",
    "WebSession",
    "check_link",
    "create_link",
    "redeem_link",
    "revoke",
    "session_access",
]
