"""What the prompts sent so far decide, on both databases.

- 未报 counts from the first prompt sent after a pair's latest report, for the whole bureau
  and for one unit (the scoped one-statement read): a prompt on the report's own day came
  before it, and escalations, unsent prompts and prompts sent after the instant read do
  not count.
- A pass reads the latest point queued per milestone from its floor on: earlier years'
  prompts are not read.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from core import progress
from core.actor import Reporter
from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage import outbox
from storage.database import Database
from storage.models import OutboxRow
from storage.plans import current_tasks, unit_ids
from storage.records import OutboxDraft, OutboxItemDraft, OutboxKind
from storage.schedule_queries import latest_points
from storage.status_queries import read_status_facts
from vocabulary import DEFAULT_TZ

AS_OF = datetime(2022, 6, 5, 12, tzinfo=DEFAULT_TZ)


def _at(day: int, month: int = 6, hour: int = 9) -> datetime:
    return datetime(2022, month, day, hour, tzinfo=DEFAULT_TZ)


async def _sent(
    db: Database,
    key: str,
    kind: OutboxKind,
    items: list[tuple[int, date]],
    sent_at: datetime | None,
) -> None:
    """Queue a message about 社区科's items (task row, point day), sent at `sent_at`."""
    draft = OutboxDraft(
        key, 1, "社区科", kind, {"text": key}, _at(1, 5),
        tuple(OutboxItemDraft(row, "社区科", "checkin", None, day) for row, day in items),
    )  # fmt: skip
    async with db.session() as session:
        [written] = await outbox.enqueue_many(session, [draft], _at(1, 5))
        assert written == key
        if sent_at is not None:
            queued = await session.scalar(select(OutboxRow.id).where(OutboxRow.dedupe_key == key))
            assert queued is not None
            await outbox.mark_sent(session, queued, "ref", sent_at)


async def test_the_first_prompt_after_the_latest_report_opens_unreported(
    database_url: str,
) -> None:
    core = await Core.open(CoreConfig(database_url, default_plan_path()), FrozenClock(_at(1, 5)))
    try:
        async with core.db.session() as session:
            mine = [t for t in await current_tasks(session) if "社区科" in t.units]
            unit = (await unit_ids(session))["社区科"]
        reported, silent, quiet = (t.row for t in mine[:3])
        await progress.report(
            core, "社区科", mine[0].id, "in_progress", by=Reporter("王科长", "cli"),
            note="推进中", at=_at(1, hour=15),
        )  # fmt: skip
        db = core.db
        await _sent(db, "before", "prompt", [(reported, date(2022, 5, 30))], _at(30, 5))
        # The report's own day: the prompt went at the send time, before the report.
        await _sent(db, "same-day", "prompt", [(reported, date(2022, 6, 1))], _at(1))
        await _sent(db, "escalated", "escalation", [(reported, date(2022, 6, 2))], _at(2))
        await _sent(db, "unsent", "prompt", [(reported, date(2022, 6, 2))], None)
        await _sent(db, "sent-later", "prompt", [(reported, date(2022, 6, 2))], _at(10))
        await _sent(db, "after", "prompt", [(reported, date(2022, 6, 3))], _at(3))
        await _sent(db, "after-2", "prompt", [(reported, date(2022, 6, 4))], _at(4))
        await _sent(
            db, "never", "prompt", [(silent, date(2022, 5, 20)), (silent, date(2022, 5, 25))],
            _at(20, 5),
        )  # fmt: skip
        expected = {(reported, unit): date(2022, 6, 3), (silent, unit): date(2022, 5, 20)}
        async with db.session(readonly=True) as session:
            bureau = await read_status_facts(session, AS_OF)
            scoped = await read_status_facts(session, AS_OF, "社区科")
            earlier = await read_status_facts(session, _at(2, hour=12), "社区科")
        assert bureau.unanswered == expected
        assert scoped.unanswered == expected
        assert (quiet, unit) not in bureau.unanswered
        # Before the 3 June prompt was sent, only the pair that never reported is open.
        assert earlier.unanswered == {(silent, unit): date(2022, 5, 20)}
    finally:
        await core.close()


async def test_a_pass_reads_the_latest_points_from_its_floor_on(ledger: Database) -> None:
    async with ledger.session() as session:
        task = next(t for t in await current_tasks(session) if "社区科" in t.units)
        unit = (await unit_ids(session))["社区科"]
    milestone = task.milestones[0].id
    for key, day in (("last-year", date(2021, 12, 20)), ("june", date(2022, 6, 3))):
        # Queued on its day, as a pass queues it.
        queued = datetime.combine(day, time(9), tzinfo=DEFAULT_TZ)
        draft = OutboxDraft(
            key, 1, "社区科", "prompt", {"text": key}, queued,
            (OutboxItemDraft(task.row, "社区科", "checkin", milestone, day),),
        )  # fmt: skip
        async with ledger.session() as session:
            await outbox.enqueue_many(session, [draft], queued)
    key = (task.row, unit, milestone, "prompt")
    async with ledger.session(readonly=True) as session:
        assert await latest_points(session, ["prompt"], date(2021, 1, 1)) == {
            key: date(2022, 6, 3)
        }
        assert await latest_points(session, ["prompt"], date(2022, 6, 3)) == {
            key: date(2022, 6, 3)
        }
        assert await latest_points(session, ["prompt"], date(2022, 6, 4)) == {}
        assert await latest_points(session, ["escalation"], date(2021, 1, 1)) == {}
