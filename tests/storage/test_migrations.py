"""Migrations move a ledger forward and keep every row: a 0001 ledger with a bound chat, a
sent message and an entry from a Telegram update reads the same after 0002."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.migrate import alembic_config

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


def _at_0001(connection: Connection) -> None:
    config = alembic_config(connection)
    command.upgrade(config, "0001")
    for statement in OLD_ROWS:
        connection.execute(text(statement))


async def test_0002_keeps_chats_messages_and_update_keys(database_url: str) -> None:
    db = await Database.connect(database_url, migrate=False)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_at_0001)
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
