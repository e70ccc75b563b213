"""One-time invite codes that bind a chat: only the code's hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import InvalidInvite
from storage.models import InviteRow, UnitRow
from storage.plans import unit_ids
from storage.records import LEADERSHIP, InviteRecord

VALID_FOR = timedelta(days=7)
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LEVELS = (1, 2)


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What a used code binds: a unit (None: the leadership) and the leadership's level."""

    unit: str | None
    level: int = 1


def new_code() -> str:
    """Return a fresh random code such as `7Q4K-92XD`."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalize_code(code: str) -> str:
    """Return the code as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """Return the sha256 of a normalized code."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


async def create_invite(
    session: AsyncSession, unit: str | None, now: datetime, *, level: int = 1
) -> InviteRecord:
    """Make an invite for a unit (None or "leadership" for the leadership, at a level:
    1 分管领导, 2 主要领导), valid 7 days."""
    target = None if unit in (None, LEADERSHIP) else unit
    if level not in LEVELS or (target is not None and level != 1):
        raise ValueError(f"level {level} is not a leadership level (1 or 2)")
    unit_id = None if target is None else (await unit_ids(session))[target]
    code = new_code()
    session.add(
        InviteRow(
            code_hash=code_hash(code),
            unit_id=unit_id,
            leadership=target is None,
            level=level,
            created_at=now,
            expires_at=now + VALID_FOR,
        )
    )
    await session.flush()
    return InviteRecord(
        code=code, unit=target, created_at=now, expires_at=now + VALID_FOR, level=level
    )


async def redeem_invite(
    session: AsyncSession, code: str, chat_id: int, now: datetime
) -> str | None:
    """Use a code once; return its unit (None for leadership) or raise InvalidInvite."""
    return (await redeem(session, code, chat_id, now)).unit


async def redeem(session: AsyncSession, code: str, chat_id: int, now: datetime) -> Redeemed:
    """Use a code once; return what it binds or raise InvalidInvite."""
    digest = code_hash(code)
    row = await session.execute(
        select(
            InviteRow.id, InviteRow.expires_at, InviteRow.used_at, UnitRow.name, InviteRow.level
        )
        .outerjoin(UnitRow, UnitRow.id == InviteRow.unit_id)
        .where(InviteRow.code_hash == digest)
    )
    found = row.first()
    if found is None:
        raise InvalidInvite("unknown code")
    invite_id, expires_at, used_at, unit, level = found
    if used_at is not None:
        raise InvalidInvite("already used")
    if now >= expires_at:
        raise InvalidInvite("expired")
    # The guard on used_at makes two redemptions at once use the code only once.
    claimed = await session.execute(
        update(InviteRow)
        .where(InviteRow.id == invite_id, InviteRow.used_at.is_(None))
        .values(used_at=now, used_by_chat=chat_id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidInvite("already used")
    return Redeemed(unit, level if unit is None else 1)
