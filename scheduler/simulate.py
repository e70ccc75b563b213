"""`duban simulate`: run the real reconcile on a frozen clock, day by day, with no network."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from scheduler.answers import Answer, apply_answer
from scheduler.clock import FrozenClock
from scheduler.reconcile import reconcile
from scheduler.settings import PolicySettings
from storage import bindings, outbox
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.plans import unit_names
from storage.schedule_queries import mark_all_sent

# Pseudo chats live far below any real Telegram chat id (those are > -10^13).
PSEUDO_CHAT_BASE = -9_000_000_000_000
# Answers arrive at noon: after the morning prompt that asked for them.
ANSWER_TIME = time(12, 0)
CLAIM_BATCH = 500


@dataclass(frozen=True, slots=True)
class SimulatedMessage:
    """One message the scheduler pushed during a simulation."""

    at: datetime
    to: str
    kind: str
    items: tuple[dict[str, Any], ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        """Return DESIGN's JSON line for this message."""
        return {
            "at": self.at.isoformat(),
            "to": self.to,
            "kind": self.kind,
            "items": [
                {k: item.get(k) for k in ("task", "unit", "kind", "due", "action")}
                for item in self.items
            ],
            "text": self.text,
        }


async def simulate(
    plan_path: Path,
    first: date,
    last: date,
    settings: PolicySettings,
    answers: Sequence[Answer] = (),
    db_url: str | None = None,
) -> list[SimulatedMessage]:
    """Return every message pushed from `first` to `last`, on a throwaway database by default."""
    if db_url is not None:
        return await _run(db_url, plan_path, first, last, settings, answers)
    with tempfile.TemporaryDirectory(prefix="duban-simulate-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'simulate.db'}"
        return await _run(url, plan_path, first, last, settings, answers)


async def _run(
    url: str,
    plan_path: Path,
    first: date,
    last: date,
    settings: PolicySettings,
    answers: Sequence[Answer],
) -> list[SimulatedMessage]:
    tz = settings.timezone
    clock = FrozenClock(datetime.combine(first, time(0, 0), tzinfo=tz))
    calendar = settings.calendar()
    db = await open_ledger(url, plan_path, clock.now())
    try:
        await _bind_pseudo_chats(db, clock.now())
        pushed: list[SimulatedMessage] = []
        by_day: dict[date, list[Answer]] = {}
        for answer in answers:
            by_day.setdefault(answer.day, []).append(answer)
        day = first
        while day <= last:
            todays = by_day.get(day, [])
            instants = set()
            if calendar.is_workday(day):
                instants |= {settings.send_time, settings.digest_time}
            if todays:
                instants.add(ANSWER_TIME)
            for at in sorted(instants):
                clock.set(datetime.combine(day, at, tzinfo=tz))
                if at == ANSWER_TIME:
                    async with db.session() as session:
                        for answer in todays:
                            await apply_answer(session, answer, clock.now())
                await reconcile(db, clock.now(), settings, calendar)
                pushed += await _deliver(db, clock.now())
            day += timedelta(days=1)
        return pushed
    finally:
        await db.close()


async def _bind_pseudo_chats(db: Database, now: datetime) -> None:
    """Bind a pseudo chat to every unit (and the leadership) that has no chat yet."""
    async with db.session() as session:
        bound = {b.recipient for b in await bindings.all_bindings(session)}
        targets: list[str | None] = [u for u in await unit_names(session) if u not in bound]
        if "leadership" not in bound:
            targets.append(None)
        for index, unit in enumerate(targets):
            await bindings.bind(session, PSEUDO_CHAT_BASE - index, unit, now, title="simulate")


async def _deliver(db: Database, now: datetime) -> list[SimulatedMessage]:
    """Claim what is due, as the sender would, and mark it sent."""
    delivered = []
    async with db.session() as session:
        while True:
            batch = await outbox.claim_due(session, now, limit=CLAIM_BATCH)
            for message in batch:
                payload = message.payload
                delivered.append(
                    SimulatedMessage(
                        at=now,
                        to=message.recipient,
                        kind=message.kind,
                        items=tuple(payload.get("items", [])),
                        text=str(payload.get("text", "")),
                    )
                )
            await mark_all_sent(session, (m.id for m in batch), now)
            if len(batch) < CLAIM_BATCH:
                return delivered
