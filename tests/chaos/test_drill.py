"""The chaos drill, on SQLite and on PostgreSQL: every figure printed, and each exactly right.

`make chaos` runs the full drill (DUBAN_CHAOS=full: six weeks of late 2022, over 20 kills, a
third of the API's sending calls failing for a week, two minutes of connections terminated
every 50 ms with a restart of the server, two replicas with slow sends, 1,000 updates from
strangers); CI runs the short one (three days, each fault briefly).
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from emulator.server import Emulator
from tests.chaos.drill import Drill, Figures, Phase
from tests.chaos.faults import Cluster

# Late 2022 is when the plan's year-end deadlines are prompted: every workday has prompts,
# and on some (the 25th's check-in, D-30, D-14, D-7) every unit has many items.
FULL_FROM = date(2022, 11, 21)
FULL = [
    Phase("kills", days=11, kills=2),  # 11-21 .. 12-05 (11-25: every unit, 49 items)
    Phase("strangers", days=1, strangers=1000),  # 12-06
    Phase("more kills", days=5, kills=1),  # 12-07 .. 12-13
    Phase("database", days=3, db_faults=40.0),  # 12-14 .. 12-16: 120 s of faults
    Phase("api", days=5, api_chaos=1 / 3),  # 12-19 .. 12-23 (12-23: every unit, 65 items)
    Phase("replicas", days=5, replicas=2, slow_sends=4.5),  # 12-26 .. 12-30
]
SHORT_FROM = date(2022, 11, 28)
SHORT = [
    Phase("kills", days=1, kills=2),  # 11-28, with the week's digest
    Phase("api", days=1, api_chaos=1 / 3, hang=1.0, strangers=100),  # 11-29
    Phase("replicas", days=1, replicas=2, slow_sends=0.5, db_faults=6.0),  # 11-30
]


def _check(figures: Figures, full: bool) -> None:
    print("\n" + figures.table())
    assert figures.prompts_lost == 0, figures.lost
    assert figures.prompts_delivered == figures.prompts_expected
    assert figures.items_wrong == 0
    assert figures.lead_lost == 0, figures.lost
    assert figures.lead_delivered == figures.lead_expected
    assert figures.duplicates_unexplained == 0, figures.duplicates
    assert figures.prompts_duplicated + figures.lead_duplicated <= figures.kills_in_window
    assert figures.entries_recorded == figures.entries_confirmed
    assert figures.entries_unmatched == 0
    assert figures.strangers.other_bytes == 0, figures.strangers.heard
    assert figures.strangers.plan_bytes == 0
    assert figures.outbox_failed == 0
    assert figures.apologies == 0
    assert figures.tracebacks == 0
    assert figures.anomalies == []
    if full:
        assert figures.kills >= 20
        assert figures.strangers.updates >= 1000
        assert figures.api_calls_failed * 3 >= figures.api_calls * 0.9


async def _drill(emu: Emulator, url: str, tmp_path: Path, full: bool, cluster: Cluster | None,
                 db_faults: bool = True) -> Figures:  # fmt: skip
    phases = FULL if full else SHORT
    if not db_faults:
        phases = [replace(p, db_faults=0.0) for p in phases]
    first = FULL_FROM if full else SHORT_FROM
    drill = Drill(emu, url, tmp_path, first, phases, seed=20220601, cluster=cluster)
    figures = await drill.run()
    figures.kills = len(drill.services.kills)
    return figures


async def test_chaos_drill_on_sqlite(tmp_path: Path, full: bool) -> None:
    async with Emulator.running() as emu:
        url = f"sqlite:///{tmp_path / 'drill.db'}"
        # A SQLite lock-out must outlast the 30 s busy timeout to be an outage at all.
        figures = await _drill(emu, url, tmp_path, full, None, db_faults=full)
    _check(figures, full)


@pytest.mark.postgres
async def test_chaos_drill_on_postgresql(tmp_path: Path, full: bool, cluster: Cluster) -> None:
    async with Emulator.running() as emu:
        url = await cluster.database(f"drill_{secrets.token_hex(4)}")
        figures = await _drill(emu, url, tmp_path, full, cluster)
    _check(figures, full)
