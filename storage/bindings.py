"""Which chat speaks for which unit (or for the leadership)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chats import TELEGRAM, chat_key
from storage.models import BindingRow, ChatRow, UnitRow
from storage.plans import unit_ids
from storage.records import BindingRecord
from vocabulary import LEADERSHIP


async def binding_for(session: AsyncSession, chat_id: int) -> BindingRecord | None:
    """Return the chat's current binding, or None when it is not bound."""
    found = await _active(session, BindingRow.chat_id == chat_id)
    return found[0] if found else None


async def binding_at(session: AsyncSession, channel: str, address: str) -> BindingRecord | None:
    """Return the current binding of a chat named by channel and address, or None."""
    found = await _active(session, ChatRow.channel == channel, ChatRow.address == address)
    return found[0] if found else None


async def bind(
    session: AsyncSession,
    chat_id: int,
    unit: str | None,
    now: datetime,
    title: str | None = None,
    *,
    level: int = 1,
) -> BindingRecord:
    """Bind a chat to a unit (None or "leadership" for the leadership, at a level: 1 分管领导,
    2 主要领导), replacing any binding.

    The chat is one `storage.chats.chat_key` returned; a key never seen is a Telegram chat id.
    """
    target = None if unit in (None, LEADERSHIP) else unit
    chat = await session.get(ChatRow, chat_id)
    if chat is None:
        await chat_key(session, TELEGRAM, str(chat_id), now, title)
    elif title is not None:
        chat.title = title
    await unbind(session, chat_id, now)
    unit_id = None
    if target is not None:
        unit_id = (await unit_ids(session))[target]
    session.add(
        BindingRow(
            chat_id=chat_id,
            unit_id=unit_id,
            leadership=target is None,
            level=level if target is None else 1,
            bound_at=now,
        )
    )
    await session.flush()
    found = await binding_for(session, chat_id)
    if found is None:
        raise RuntimeError(f"chat {chat_id} was bound but no binding is found")
    return found


async def unbind(session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """End the chat's binding; return whether it had one."""
    rows = list(
        await session.scalars(
            select(BindingRow).where(
                BindingRow.chat_id == chat_id, BindingRow.unbound_at.is_(None)
            )
        )
    )
    for row in rows:
        row.unbound_at = now
    await session.flush()
    return bool(rows)


async def chats_for_unit(session: AsyncSession, unit: str) -> list[BindingRecord]:
    """Return the chats currently bound to a unit."""
    return await _active(session, UnitRow.name == unit)


async def leadership_chats(session: AsyncSession) -> list[BindingRecord]:
    """Return the chats currently bound to the leadership."""
    return await _active(session, BindingRow.leadership.is_(True))


async def all_bindings(session: AsyncSession) -> list[BindingRecord]:
    """Return every current binding."""
    return await _active(session)


async def _active(session: AsyncSession, *conditions: object) -> list[BindingRecord]:
    rows = await session.execute(
        select(
            BindingRow.chat_id,
            ChatRow.title,
            UnitRow.name,
            BindingRow.bound_at,
            ChatRow.channel,
            ChatRow.address,
            BindingRow.level,
        )
        .join(ChatRow, ChatRow.chat_id == BindingRow.chat_id)
        .outerjoin(UnitRow, UnitRow.id == BindingRow.unit_id)
        .where(BindingRow.unbound_at.is_(None), *conditions)  # type: ignore[arg-type]
        .order_by(BindingRow.bound_at, BindingRow.id)
    )
    return [BindingRecord(c, t, u, b, ch, a, lv) for c, t, u, b, ch, a, lv in rows]
