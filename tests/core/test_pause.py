"""Pausing a unit: who may, what is read, what replaces what; the CLI's pause and resume; on
both databases."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest

from cli.main import main
from core import pause, queries
from core.errors import DateNotInFuture, DateNotUnderstood, UnknownUnit
from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage import pause_queries, pauses
from storage.records import BindingRecord
from vocabulary import DEFAULT_TZ

NOON = datetime(2022, 6, 23, 12, 0, tzinfo=DEFAULT_TZ)  # a Thursday
CLOCK = "2022-06-23T12:00:00+08:00"


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    """Yield a core on an empty ledger with the seed plan, its clock frozen at noon."""
    opened = await Core.open(CoreConfig(database_url, default_plan_path()), FrozenClock(NOON))
    try:
        yield opened
    finally:
        await opened.close()


def _binding(unit: str | None) -> BindingRecord:
    return BindingRecord(chat_id=1, title="群", unit=unit, bound_at=NOON)


async def _windows(core: Core, unit: str) -> list[tuple[date, date, str | None]]:
    async with core.db.session(readonly=True) as session:
        found = await pause_queries.events(session, core.now(), unit)
    return pauses.windows(found.get(unit, ()))


@pytest.mark.parametrize(
    ("typed", "first", "last", "reason"),
    [
        ("至7月15日 防汛抢险", None, date(2022, 7, 15), "防汛抢险"),
        ("至7月15日，原因：防汛抢险", None, date(2022, 7, 15), "防汛抢险"),
        ("7月4日至7月15日 人员借调", date(2022, 7, 4), date(2022, 7, 15), "人员借调"),
        ("到下周五 休假", None, date(2022, 7, 1), "休假"),
        ("7月15日", None, date(2022, 7, 15), None),
    ],
)
def test_the_period_a_leader_types(
    typed: str, first: date | None, last: date, reason: str | None
) -> None:
    assert pause.read_period(typed, NOON) == pause.PeriodText(first, last, reason)


@pytest.mark.parametrize(
    ("typed", "error"),
    [("至等通知 防汛", DateNotUnderstood), ("2022-06-01至7月15日 防汛", DateNotInFuture)],
)
def test_a_period_that_cannot_be_read_is_refused(typed: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        pause.read_period(typed, NOON)


async def test_only_leadership_pauses_and_a_bad_request_changes_nothing(core: Core) -> None:
    july_15 = date(2022, 7, 15)
    for who, unit, last, reason, error in [
        (_binding("社救科"), "社区科", july_15, "防汛", pause.PauseLeadershipOnly),
        (_binding(None), "外星科", july_15, "防汛", UnknownUnit),
        (_binding(None), "社区科", july_15, "  ", pause.PauseNeedsReason),
        (_binding(None), "社区科", date(2023, 1, 6), "防汛", pause.PauseBeyondPlanYear),
    ]:
        with pytest.raises(error):
            await pause.pause_unit(core, who, unit, last, reason=reason, by="李局长")
    with pytest.raises(pause.PauseEndsBeforeStart):
        await pause.pause_unit(
            core, pause.OFFICE, "社区科", july_15, reason="防汛", by="综合办",
            first=date(2022, 7, 20),
        )  # fmt: skip
    with pytest.raises(pause.NotPaused):
        await pause.resume_unit(core, _binding(None), "社区科", by="李局长")
    assert await _windows(core, "社区科") == []


async def test_a_new_pause_replaces_the_old_and_a_resume_ends_it(core: Core) -> None:
    lead = _binding(None)
    held = await pause.pause_unit(
        core, lead, "社区", date(2022, 7, 15), reason="防汛抢险", by="李局长"
    )
    assert held == pause.Pause("社区科", date(2022, 6, 23), date(2022, 7, 15), "防汛抢险")
    await pause.pause_unit(core, lead, "社区科", date(2022, 7, 8), reason="提前结束", by="李局长")
    assert await _windows(core, "社区科") == [(date(2022, 6, 23), date(2022, 7, 8), "提前结束")]
    [row] = [r for r in await queries.rows(core, "社区科") if r.task_id == "4.1"]
    assert row.paused is not None
    assert (row.paused.until, row.paused.reason) == (date(2022, 7, 8), "提前结束")

    ended = await pause.resume_unit(core, lead, "社区科", by="李局长")
    assert ended.last == date(2022, 7, 8)
    # Resumed today: the window closed yesterday, so nothing is paused any more.
    assert await _windows(core, "社区科") == []
    assert all(r.paused is None for r in await queries.rows(core, "社区科"))


def test_the_cli_pauses_and_resumes(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def duban(*args: str) -> int:
        return main(["--db", database_url, "--clock", CLOCK, *args])

    assert duban("pause", "社区科", "--until", "2022-07-15", "--reason", "防汛抢险") == 0
    assert capsys.readouterr().out.strip() == (
        "paused 社区科 from 2022-06-23 to 2022-07-15 (防汛抢险): no reminders, overdue not "
        "counted; deadlines unchanged"
    )
    assert duban("status", "社区科", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert {json.dumps(t["paused"], ensure_ascii=False) for t in shown["tasks"]} == {
        '{"until": "2022-07-15", "reason": "防汛抢险"}'
    }
    assert duban("resume", "社区科") == 0
    assert capsys.readouterr().out.strip() == (
        "resumed 社区科 from 2022-06-23 (paused 2022-06-23 to 2022-07-15)"
    )
    for args in (
        ("pause", "外星科", "--until", "2022-07-15", "--reason", "x"),
        ("pause", "社区科", "--until", "2022-06-01", "--reason", "x"),
        ("resume", "社区科"),
    ):
        assert duban(*args) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ")
        assert len(err.splitlines()) == 1
