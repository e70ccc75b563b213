"""Shared helpers for the scheduler's database tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.ledger_pass import ReconcileResult, reconcile
from scheduler.settings import load_settings
from storage import bindings, outbox
from storage.database import Database
from storage.plans import unit_names
from storage.records import OutboxMessage

TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = load_settings()
CALENDAR = SETTINGS.calendar()
LEAD_CHAT = 1
UNIT_CHAT_BASE = 100


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Return an instant in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


async def bind_everyone(db: Database, now: datetime) -> dict[str, int]:
    """Bind one chat per unit and one for the leadership; return unit -> chat id."""
    chats = {}
    async with db.session() as session:
        for index, unit in enumerate(await unit_names(session)):
            chats[unit] = UNIT_CHAT_BASE + index
            await bindings.bind(session, chats[unit], unit, now)
        await bindings.bind(session, LEAD_CHAT, None, now)
    return chats


async def run(db: Database, now: datetime) -> ReconcileResult:
    """Reconcile with the default policy."""
    return await reconcile(db, now, SETTINGS, CALENDAR)


async def deliver(db: Database, now: datetime) -> list[OutboxMessage]:
    """Claim what is due and mark it sent, as the bot's sender does."""
    async with db.session() as session:
        found = await outbox.claim_due(session, now, limit=500)
        for message in found:
            await outbox.mark_sent(session, message.id, None, now)
    return found
