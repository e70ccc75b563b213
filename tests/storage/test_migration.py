"""Revision 0003 keeps a ledger made by 0001: every entry hashed, every decision moved; 0006
reads plan series and targets on the next import."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Connection, column, insert, inspect, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Date, Integer, String, Text

from plan_data import default_plan_path, load_plan
from storage.chain import GENESIS
from storage.database import MIGRATING, Database
from storage.extensions import all_extensions, pending_extensions
from storage.migrate import alembic_config, at_head, head_revision
from storage.models import EntryRow, UtcDateTime
from storage.progress import all_entries, record_entry
from storage.status_queries import status_rows
from storage.verify import verify_ledger
from tests.conftest import LEDGER_NOW
from tests.storage.integrity import draft

AT = datetime(2022, 6, 20, 1, 0, 0, 250_000, tzinfo=UTC)

old_entries = table(
    "progress_entries",
    column("task_id", Integer),
    column("unit_id", Integer),
    column("milestone_id", Integer),
    column("status", String),
    column("note", Text),
    column("percent", Integer),
    column("proposed_date", Date),
    column("reporter", Text),
    column("reporter_chat_id", BigInteger),
    column("created_at", UtcDateTime),
    column("source", String),
    column("source_update_id", BigInteger),
)
old_requests = table(
    "extension_requests",
    column("entry_id", Integer),
    column("task_id", Integer),
    column("unit_id", Integer),
    column("milestone_id", Integer),
    column("old_date", Date),
    column("new_date", Date),
    column("reason", Text),
    column("requested_at", UtcDateTime),
    column("state", String),
    column("decided_by", Text),
    column("decided_at", UtcDateTime),
)


def _migrate(connection: Connection, revision: str, down: bool = False) -> None:
    (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)


old_plan = table(
    "plans",
    column("id", Integer),
    column("year", Integer),
    column("title", Text),
    column("created_at", UtcDateTime),
)
old_units = table(
    "units",
    column("id", Integer),
    column("plan_id", Integer),
    column("name", String),
    column("position", Integer),
)
old_tasks = table(
    "tasks",
    column("id", Integer),
    column("plan_id", Integer),
    column("task_id", String),
    column("position", Integer),
    column("chapter", Text),
    column("title", Text),
    column("body", Text),
    column("deadline_text", Text),
)
old_owners = table(
    "task_owners",
    column("task_id", Integer),
    column("unit_id", Integer),
    column("role", String),
    column("position", Integer),
)
old_milestones = table(
    "milestones", column("id", Integer), column("task_id", Integer),
    column("position", Integer), column("kind", String), column("action", Text),
    column("start", Date), column("end", Date),
)  # fmt: skip


async def _import_at_0001(
    session: AsyncSession,
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Load the seed plan into a 0001 ledger as 0001's code did (today's import writes the
    columns of later revisions); return unit, task and first-milestone row ids."""
    plan = load_plan(default_plan_path())
    await session.execute(
        insert(old_plan).values(id=1, year=plan.year, title=plan.title, created_at=LEDGER_NOW)
    )
    units = {name: n + 1 for n, name in enumerate(plan.units)}
    for name, unit_id in units.items():
        await session.execute(
            insert(old_units).values(id=unit_id, plan_id=1, name=name, position=unit_id - 1)
        )
    tasks: dict[str, int] = {}
    first: dict[str, int] = {}
    milestone_id = 0
    for position, task in enumerate(plan.tasks):
        tasks[task.id] = position + 1
        await session.execute(
            insert(old_tasks).values(
                id=position + 1, plan_id=1, task_id=task.id, position=position,
                chapter=task.chapter, title=task.title, body=task.body,
                deadline_text=task.deadline_text,
            )
        )  # fmt: skip
        for n, owner in enumerate(task.owners):
            await session.execute(
                insert(old_owners).values(
                    task_id=position + 1, unit_id=units[owner.unit], role=owner.role, position=n
                )
            )
        for n, m in enumerate(task.milestones):
            milestone_id += 1
            first.setdefault(task.id, milestone_id)
            await session.execute(
                insert(old_milestones).values(
                    id=milestone_id, task_id=position + 1, position=n, kind=m.kind,
                    action=m.action, start=m.start, end=m.end,
                )
            )  # fmt: skip
    return units, tasks, first


async def _ledger_at_0001(url: str) -> dict[str, int]:
    """Make a 0001 ledger: 7 entries; requests approved, rejected and pending."""
    db = await Database.connect(url, migrate=False)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_migrate, "0001")
        async with db.session() as session:
            units, tasks, first_milestone = await _import_at_0001(session)
            task, other = tasks["2.3"], tasks["7.2"]
            rows: list[dict[str, Any]] = []
            for i, (task_row, unit) in enumerate(
                [(task, "社救科")] * 4 + [(other, "社区科")] * 2 + [(other, "婚姻科")]
            ):
                rows.append(
                    {
                        "task_id": task_row,
                        "unit_id": units[unit],
                        "milestone_id": first_milestone["2.3"] if i == 1 else None,
                        "status": ["in_progress", "extension", "extension", "extension"][i % 4],
                        "note": f"第{i}次 ✓" if i != 5 else None,
                        "percent": 10 * i if i % 2 else None,
                        "proposed_date": date(2022, 8, 31) if i in (1, 2, 3) else None,
                        "reporter": "科长",
                        "reporter_chat_id": -1000 - i if i % 3 else None,
                        # Out of order on purpose: a chain follows the order of writing.
                        "created_at": AT + timedelta(hours=5 - i, microseconds=i),
                        "source": "telegram" if i % 2 else "cli",
                        "source_update_id": 900 + i if i % 2 else None,
                    }
                )
            ids = [
                await session.scalar(insert(old_entries).values(row).returning(column("id")))
                for row in rows
            ]
            decided = AT + timedelta(days=1)
            for entry_id, state in zip(ids[1:4], ["approved", "rejected", "pending"], strict=True):
                await session.execute(
                    insert(old_requests).values(
                        entry_id=entry_id,
                        task_id=task,
                        unit_id=units["社救科"],
                        milestone_id=None,
                        old_date=date(2022, 6, 30),
                        new_date=date(2022, 8, 31),
                        reason="对方未签字",
                        requested_at=AT,
                        state=state,
                        decided_by=None if state == "pending" else "局长",
                        decided_at=None if state == "pending" else decided,
                    )
                )
    finally:
        await db.close()
    return {"entries": len(ids), "first": ids[0], "last_of_pair": ids[3]}


async def test_upgrading_a_0001_ledger_keeps_every_entry_and_decision(database_url: str) -> None:
    made = await _ledger_at_0001(database_url)
    db = await Database.connect(database_url)  # migrates to the newest revision
    try:
        async with db.session(readonly=True) as session:
            entries = await all_entries(session)
            extensions = await all_extensions(session)
            pending = await pending_extensions(session)
            result = await verify_ledger(session)
            rows = await status_rows(session, AT + timedelta(days=2), "社救科")
            chain = list(await session.scalars(select(EntryRow).order_by(EntryRow.id)))
        async with db.session() as session:
            added = await record_entry(session, draft("2.3", "社救科", "done"), AT)
        async with db.session(readonly=True) as session:
            after = await verify_ledger(session)
            head = await session.scalar(select(EntryRow).where(EntryRow.id == added.id))
    finally:
        await db.close()
    assert len(entries) == made["entries"]
    assert {e.note for e in entries} == {f"第{i}次 ✓" for i in range(7) if i != 5} | {None}
    assert [(x.state, x.decided_by, x.decided_at) for x in extensions] == [
        ("approved", "局长", AT + timedelta(days=1)),
        ("rejected", "局长", AT + timedelta(days=1)),
        ("pending", None, None),
    ]
    assert [x.entry_id for x in pending] == [made["last_of_pair"]]
    assert next(r for r in rows if r.task_id == "2.3").next_due == date(2022, 8, 31)
    assert result.ok, [str(b) for b in result.breaks]
    assert (result.entries, result.chains, result.requests, result.decisions) == (7, 3, 3, 2)
    assert result.unguarded == ()
    assert chain[0].prev_hash == GENESIS
    assert after.ok
    assert head is not None
    assert head.prev_hash == next(r.hash for r in chain if r.id == made["last_of_pair"])


async def test_downgrading_puts_the_decisions_back(database_url: str) -> None:
    await _ledger_at_0001(database_url)
    db = await Database.connect(database_url)
    try:
        async with db.engine.connect() as plain:
            # As Database.connect migrates: on SQLite, foreign keys off for the rebuilds.
            conn = await plain.execution_options(**{MIGRATING: True})
            async with conn.begin():
                await conn.run_sync(_migrate, "0001", True)
        async with db.engine.connect() as conn:
            states = (
                await conn.execute(
                    select(old_requests.c.state, old_requests.c.decided_by).order_by(
                        old_requests.c.entry_id
                    )
                )
            ).all()
    finally:
        await db.close()
    assert [tuple(s) for s in states] == [
        ("approved", "局长"),
        ("rejected", "局长"),
        ("pending", None),
    ]


OLD_ROWS = [
    "INSERT INTO plans (id, year, title, created_at) VALUES (1, 2022, 't', '2022-01-04')",
    "INSERT INTO units (id, plan_id, name, position) VALUES (1, 1, '社救科', 0)",
    "INSERT INTO tasks (id, plan_id, task_id, position, chapter, title, body, deadline_text)"
    " VALUES (1, 1, '2.3', 0, '二', '创新', '', '12月底')",
    "INSERT INTO chats (chat_id, title, created_at) VALUES (-1001, '社救科工作群', '2022-01-04')",
    "INSERT INTO outbox (id, dedupe_key, chat_id, recipient, kind, payload, not_before,"
    " created_at, attempts, sent_at, message_id)"
    " VALUES (1, 'k', -1001, '社救科', 'notice', '{\"text\": \"x\"}', '2022-01-04',"
    " '2022-01-04', 1, '2022-01-04', 4242)",
    "INSERT INTO progress_entries (id, task_id, unit_id, status, reporter, created_at,"
    " source, source_update_id) VALUES (1, 1, 1, 'done', '王科长', '2022-01-04',"
    " 'telegram', 777)",
]


def _old_rows_at_0001(connection: Connection) -> None:
    config = alembic_config(connection)
    command.upgrade(config, "0001")
    for statement in OLD_ROWS:
        connection.execute(text(statement))


async def test_0002_keeps_chats_messages_and_update_keys(database_url: str) -> None:
    db = await Database.connect(database_url, migrate=False)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_old_rows_at_0001)
    finally:
        await db.close()
    db = await Database.connect(database_url)
    try:
        async with db.engine.connect() as conn:
            chat = (await conn.execute(text("SELECT channel, address FROM chats"))).one()
            ref = await conn.scalar(text("SELECT message_ref FROM outbox"))
            key = await conn.scalar(text("SELECT source_key FROM progress_entries"))
    finally:
        await db.close()
    assert tuple(chat) == ("telegram", "-1001")
    assert ref == "4242"
    assert key == "telegram:777"


def test_the_head_read_from_the_migration_files_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_migration_file_that_does_not_say_its_revision_plainly_leaves_it_to_alembic(
    tmp_path: Path,
) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (tmp_path / "0002_b.py").write_text('revision = "0002"\ndown_revision = "0001"\n')
    assert head_revision(tmp_path) == "0002"
    (tmp_path / "0003_c.py").write_text('revision = "0003"\ndown_revision = "0001"\n')
    assert head_revision(tmp_path) is None  # two heads
    (tmp_path / "0003_c.py").write_text("revision = REVISION\ndown_revision = '0002'\n")
    assert head_revision(tmp_path) is None  # not a plain string


PAYLOAD_COMPRESSION = (
    "SELECT CAST(attcompression AS TEXT) FROM pg_attribute"
    " WHERE attrelid = 'outbox'::regclass AND attname = 'payload'"
)


async def test_a_ledger_one_revision_behind_is_still_migrated_on_connect(
    database_url: str,
) -> None:
    db = await Database.connect(database_url)
    try:
        async with db.engine.connect() as plain:
            conn = await plain.execution_options(**{MIGRATING: True})
            async with conn.begin():
                await conn.run_sync(_migrate, "0006", True)
                assert await conn.run_sync(at_head) is False
    finally:
        await db.close()
    db = await Database.connect(database_url)  # at 0006: Alembic upgrades it
    try:
        async with db.engine.connect() as conn:
            stamped = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            await conn.execute(text("SELECT claim_token FROM outbox"))  # 0007's column
            assert await conn.run_sync(at_head) is True
            keys = await conn.run_sync(lambda sync: inspect(sync).get_foreign_keys("outbox_items"))
            indexes = await conn.run_sync(lambda sync: inspect(sync).get_indexes("outbox_items"))
            queued = await conn.run_sync(lambda sync: inspect(sync).get_indexes("outbox"))
            by_time = await conn.run_sync(
                lambda sync: inspect(sync).get_indexes("progress_entries")
            )
            postgres = db.dialect == "postgresql"
            compression = await conn.scalar(text(PAYLOAD_COMPRESSION)) if postgres else None
    finally:
        await db.close()
    assert stamped == head_revision() == "0012"
    # 0012: entries are indexed by time (a pass reads the last week's, not the ledger).
    assert {"name": "ix_entries_time", "column_names": ["created_at"]}.items() <= next(
        i for i in by_time if i["name"] == "ix_entries_time"
    ).items()
    # 0011: a pair's prompt items are indexed by day (the first after a report is one probe).
    assert {i["name"]: i["column_names"] for i in indexes if "pair" in str(i["name"])} == {
        "ix_outbox_items_pair_day": ["task_id", "unit_id", "point_date"]
    }
    assert "ix_outbox_items_point" not in {i["name"] for i in indexes}
    # 0011: the outbox by the time a message was queued (a pass reads this year's points).
    assert ["created_at"] in [
        i["column_names"] for i in queued if i["name"] == "ix_outbox_created"
    ]
    # 0010 (down to 0006 and up again): PostgreSQL stores payloads with lz4 ('l').
    assert compression == ("l" if postgres else None)
    # 0009: an item's message, task, unit and milestone are written, not checked.
    assert keys == []
