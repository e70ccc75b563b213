"""The weekly digest counts every pair at a glance and reads a full row only of the pairs it
may list: over a ledger with every kind of answer, it must say exactly what the digest
computed from every full row says, week after week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from plan_data import default_plan_path
from reports.digest import compute_digest, digest_from_facts, digest_json
from reports.render import render_digest
from reports.source import read_digest_facts, read_report_input
from scheduler.settings import load_settings
from simulate.answers import parse_answers
from simulate.engine import simulate
from storage.database import Database

# Progress, 困难, extensions approved and refused, 已完成 returned, withdrawn and passed, a
# pause, done on a milestone and on a whole task: rows in every list of the digest.
ANSWERS = """
2022-03-01 1.1 社区科 in_progress 正在摸底
2022-03-02 3.1 社会事务科 blocked 资金未到位
2022-03-07 2.1 社救科 done 文件已印发
2022-03-08 return 2.1 社救科 缺少印发文号
2022-03-10 2.3 社救科 extension 2022-07-15 协议方变更
2022-03-11 approve 2.3 社救科
2022-03-14 2.1 社救科 done 补充文号
2022-03-16 pass 2.1 社救科
2022-03-18 4.2 社区科 extension 2023-01-20 需延期
2022-03-21 reject 4.2 社区科
2022-04-06 1.2 社区科 done 已完成
2022-04-07 1.2 社区科 withdraw
2022-04-11 pause 社区科 2022-04-22 防汛值守
2022-05-05 3.1 社会事务科 in_progress 已建成老人家食堂2家
"""
SPAN = (date(2022, 2, 28), date(2022, 7, 29))


async def test_the_digest_from_glances_says_what_every_full_row_says(
    database_url: str,
) -> None:
    settings = load_settings()
    tz = settings.timezone
    rules = settings.status_rules(settings.calendar())
    await simulate(
        default_plan_path(), *SPAN, settings, parse_answers(ANSWERS), db_url=database_url
    )
    db = await Database.connect(database_url)
    try:
        day, listed = SPAN[0], 0
        while day <= SPAN[1]:
            as_of = datetime.combine(day, time(9), tzinfo=tz)
            async with db.session(readonly=True) as session:
                full = await read_report_input(session, as_of, rules=rules, tz=tz)
                facts = await read_digest_facts(session, as_of, rules=rules, tz=tz)
            every_row = compute_digest(
                full.rows, full.extensions, as_of, full.units, tz, full.timeliness
            )
            glanced = digest_from_facts(facts, as_of, rules=rules, tz=tz)
            assert digest_json(glanced) == digest_json(every_row), day
            assert render_digest(glanced) == render_digest(every_row), day
            listed += len(every_row.overdue) + len(every_row.due_soon) + len(every_row.blocked)
            listed += len(every_row.done_this_week) + len(every_row.unreported)
            day += timedelta(days=3)
    finally:
        await db.close()
    assert listed > 0  # the weeks compared list something
