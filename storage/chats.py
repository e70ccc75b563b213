"""Chats on every channel, and the integer key the rest of the ledger knows them by.

A Telegram chat keeps its own id as its key (so a ledger made before other channels existed
needs no renumbering). Any other channel's chat gets a key above every Telegram id (those
fit in 52 bits), allocated in order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatRow

TELEGRAM = "telegram"
FIRST_OTHER_KEY = 2**53


async def chat_key(
    session: AsyncSession, channel: str, address: str, now: datetime, title: str | None = None
) -> int:
    """Return the key of a chat, recording the chat on first sight (and a new title)."""
    row = await session.scalar(
        select(ChatRow).where(ChatRow.channel == channel, ChatRow.address == address)
    )
    if row is not None:
        if title is not None and row.title != title:
            row.title = title
        return row.chat_id
    if channel == TELEGRAM:
        key = int(address)
    else:
        highest = await session.scalar(
            select(func.max(ChatRow.chat_id)).where(ChatRow.chat_id >= FIRST_OTHER_KEY)
        )
        key = (highest or FIRST_OTHER_KEY - 1) + 1
    session.add(
        ChatRow(chat_id=key, channel=channel, address=address, title=title, created_at=now)
    )
    await session.flush()
    return key


async def find_chat_key(session: AsyncSession, channel: str, address: str) -> int | None:
    """Return the key of a chat seen before, or None."""
    return await session.scalar(
        select(ChatRow.chat_id).where(ChatRow.channel == channel, ChatRow.address == address)
    )


async def chat_addresses(session: AsyncSession, keys: list[int]) -> dict[int, tuple[str, str]]:
    """Return (channel, address) for each of the given chat keys."""
    if not keys:
        return {}
    rows = await session.execute(
        select(ChatRow.chat_id, ChatRow.channel, ChatRow.address).where(
            ChatRow.chat_id.in_(set(keys))
        )
    )
    return {key: (channel, address) for key, channel, address in rows}
