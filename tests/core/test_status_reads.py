"""What a chat's /status reads and what `duban status` reads, on both databases.

A chat shows no entry counts, so its rows read "any entry or none" (1 / 0), a fraction of
the read on a big ledger; `duban status` prints each pair's count and reads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

import pytest

from bot import views
from core import progress, queries
from core.actor import Reporter
from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage.records import StatusRow
from vocabulary import DEFAULT_TZ

NOW = datetime(2022, 6, 20, 10, tzinfo=DEFAULT_TZ)
WANG = Reporter("王科长", "cli")


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    """Yield a core on the seed plan with three reports on 1.1 from 社区科, one from 婚姻科."""
    opened = await Core.open(CoreConfig(database_url, default_plan_path()), FrozenClock(NOW))
    try:
        await progress.report(opened, "社区科", "1.1", "in_progress", by=WANG, note="启动")
        await progress.report(opened, "社区科", "1.1", "in_progress", by=WANG, note="过半")
        await progress.report(opened, "社区科", "1.1", "blocked", by=WANG, note="遇阻")
        owner = next(r.unit for r in await queries.rows(opened) if r.unit != "社区科")
        task = next(r.task_id for r in await queries.rows(opened, owner))
        await progress.report(opened, owner, task, "in_progress", by=WANG, note="已开展")
        yield opened
    finally:
        await opened.close()


def counts(rows: list[StatusRow]) -> dict[tuple[str, str], int]:
    return {(r.task_id, r.unit): r.entries for r in rows if r.entries}


async def test_the_cli_counts_every_entry_and_a_chat_reads_any_or_none(core: Core) -> None:
    counted = await queries.rows(core, counted=True)
    in_chat = await queries.rows(core)
    assert counts(counted)[("1.1", "社区科")] == 3
    assert sum(counts(counted).values()) == 4
    assert counts(in_chat) == dict.fromkeys(counts(counted), 1)
    # Every other fact of every row is the same: lights, reasons, notes, due dates.
    assert in_chat == [replace(r, entries=min(r.entries, 1)) for r in counted]


async def test_a_chat_shows_the_same_whichever_read(core: Core) -> None:
    units = sorted({r.unit for r in await queries.rows(core)})
    counted = await queries.rows(core, counted=True)
    assert views.bureau_status(await queries.rows(core), units, NOW, DEFAULT_TZ) == (
        views.bureau_status(counted, units, NOW, DEFAULT_TZ)
    )
    mine = await queries.rows(core, "社区科", counted=True)
    shown = views.unit_status("社区科", await queries.rows(core, "社区科"), NOW, DEFAULT_TZ)
    assert shown == views.unit_status("社区科", mine, NOW, DEFAULT_TZ)
    assert "遇阻" in shown


async def test_a_counted_read_is_never_served_from_the_chat_cache(core: Core) -> None:
    assert counts(await queries.rows(core, "社区科"))[("1.1", "社区科")] == 1  # now cached
    assert counts(await queries.rows(core, "社区科", counted=True))[("1.1", "社区科")] == 3
    await progress.report(core, "社区科", "1.1", "in_progress", by=WANG, note="恢复")
    assert counts(await queries.rows(core, "社区科", counted=True))[("1.1", "社区科")] == 4
    assert counts(await queries.rows(core, "社区科"))[("1.1", "社区科")] == 1
