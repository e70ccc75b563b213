"""The year in memory: a simulation takes the ledger once at the start and once after each
answer, and plays the days between with the same pass the service runs. What it sends must
equal the database reconciled at every instant, and a given database must end up holding
exactly what was sent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from scheduler.ledger_pass import reconcile
from scheduler.settings import PolicySettings, load_settings
from simulate.answers import Answer, apply_answer, parse_answers
from simulate.engine import ANSWER_TIME, START_OF_DAY, simulate
from simulate.on_database import bind_pseudo_chats, deliver
from storage.database import Database
from storage.models import OutboxRow

# Every kind of answer: progress, a blocked report, an extension approved and one refused,
# a 已完成 returned and then passed, a withdrawal, a pause cut short by a resume.
ANSWERS = """
2022-06-01 2.1 社救科 in_progress 正在起草文件
2022-06-07 2.1 社救科 blocked 需区政府会签
2022-06-10 2.3 社救科 extension 2022-07-15 协议方变更
2022-06-13 approve 2.3 社救科
2022-06-15 2.1 社救科 done 文件已印发
2022-06-16 return 2.1 社救科 缺少印发文号
2022-06-20 2.1 社救科 done 补充文号
2022-06-21 2.1 社救科 withdraw
2022-06-22 2.1 社救科 done 再次报送
2022-06-24 pass 2.1 社救科
2022-07-01 pause 社区科 2022-07-20 防汛值守
2022-07-11 resume 社区科
2022-07-14 2.3 社救科 done 协议已签署
2022-08-01 4.2 社区科 extension 2023-01-20 需延期
2022-08-02 reject 4.2 社区科
"""
SPAN = (date(2022, 5, 30), date(2022, 9, 30))
# Nobody answers in the first quarter: the digest counts the silent pairs 未报 as the copy's
# prompts age (no answer makes the simulation read the ledger again).
SILENT_QUARTER = (date(2022, 1, 1), date(2022, 3, 31))


async def _every_instant_on_the_database(
    url: str, settings: PolicySettings, answers: list[Answer], span: tuple[date, date]
) -> list[dict[str, Any]]:
    """The service's way: reconcile on the database at every instant of every workday."""
    tz, calendar = settings.timezone, settings.calendar()
    first, last = span
    clock = FrozenClock(datetime.combine(first, time(0), tzinfo=tz))
    core = await Core.open(CoreConfig(url, default_plan_path(), tz), clock, settings)
    sent: list[dict[str, Any]] = []
    try:
        await bind_pseudo_chats(core.db, clock.now())
        day = first
        while day <= last:
            todays = [a for a in answers if a.day == day]
            instants = {START_OF_DAY if a.at_start_of_day else ANSWER_TIME for a in todays}
            if calendar.is_workday(day):
                instants |= {settings.send_time, settings.digest_time}
            for at in sorted(instants):
                clock.set(datetime.combine(day, at, tzinfo=tz))
                for answer in todays:
                    if at == (START_OF_DAY if answer.at_start_of_day else ANSWER_TIME):
                        await apply_answer(core, answer)
                await reconcile(core.db, clock.now(), settings, calendar)
                sent += [m.to_json() for m in await deliver(core.db, clock.now())]
            day += timedelta(days=1)
    finally:
        await core.close()
    return sent


async def test_the_year_in_memory_sends_what_the_database_reconciled_daily_sends(
    tmp_path: Path,
) -> None:
    settings = load_settings()
    answers = parse_answers(ANSWERS)
    reference = await _every_instant_on_the_database(
        f"sqlite:///{tmp_path / 'daily.db'}", settings, answers, SPAN
    )
    replayed = [m.to_json() for m in await simulate(default_plan_path(), *SPAN, settings, answers)]
    assert replayed == reference
    kinds = {m["kind"] for m in replayed}
    assert {"prompt", "digest", "alert", "extension_request", "signoff_review"} <= kinds


async def test_silence_counts_as_unreported_in_memory_as_on_the_database(tmp_path: Path) -> None:
    settings = load_settings()
    reference = await _every_instant_on_the_database(
        f"sqlite:///{tmp_path / 'daily.db'}", settings, [], SILENT_QUARTER
    )
    replayed = [
        m.to_json() for m in await simulate(default_plan_path(), *SILENT_QUARTER, settings)
    ]
    assert replayed == reference
    digests = [m["text"] for m in replayed if m["kind"] == "digest"]
    assert "未报" not in digests[0].split("未报：")[0]
    assert "（未报" in digests[-1]


async def test_a_year_without_answers_reads_no_database() -> None:
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(Engine, "before_cursor_execute", count)
    try:
        sent = await simulate(
            default_plan_path(), date(2022, 1, 1), date(2022, 12, 31), load_settings()
        )
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len(sent) == 437
    # The plan's fresh ledger is played in memory (simulate.replay.LedgerCopy.of_plan); a
    # throwaway database took a few hundred statements, a round trip per day thousands.
    assert statements == 0


async def test_a_given_database_holds_every_simulated_message_as_sent(tmp_path: Path) -> None:
    settings = load_settings()
    url = f"sqlite:///{tmp_path / 'given.db'}"
    answers = parse_answers(ANSWERS)
    sent = await simulate(default_plan_path(), *SPAN, settings, answers, db_url=url)
    db = await Database.connect(url)
    try:
        async with db.session(readonly=True) as session:
            stored = await session.scalar(select(func.count()).select_from(OutboxRow))
            unsent = await session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))
            )
        end = datetime.combine(SPAN[1], time(18), tzinfo=settings.timezone)
        again = await reconcile(db, end, settings, settings.calendar())
    finally:
        await db.close()
    assert stored == len(sent)
    assert unsent == 0
    # The service started on that ledger afterwards sends nothing twice.
    assert again.written == ()
