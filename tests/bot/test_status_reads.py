"""/status shows what the ledger holds when it is asked: nothing written before it is missing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core.runtime import StatusCache
from plan_data import default_plan_path, load_plan
from storage.plans import import_plan
from storage.progress import record_entry
from storage.records import EntryDraft
from tests.bot.harness import Harness, text_of

LINE_2_3 = "2.3 创新社会救助方式 · 临近 6月30日"


def _line(text: str, task: str) -> str:
    return next(line for line in text.splitlines() if f" {task} " in line)


async def test_a_report_shows_in_the_very_next_status(any_harness: Harness) -> None:
    unit = await any_harness.bound("社救科工作群", "王科长", "社救科")
    before = text_of(await any_harness.say(unit, "/status"))
    assert f"{LINE_2_3} · 尚无进展" in before
    await any_harness.say(unit, "/report 2.3 已签约3家", expect="收到")
    after = text_of(await any_harness.say(unit, "/status"))
    assert f'{LINE_2_3} · 进行中 "已签约3家"' in _line(after, "2.3")


async def test_what_another_process_writes_shows_in_the_next_status(
    any_harness: Harness, tmp_path: Path
) -> None:
    # `duban report` and `duban plan import` write from another process: nothing tells the
    # bot, so a /status after the short-lived cache has run out reads them from the ledger.
    any_harness.core.statuses = StatusCache(ttl=-1.0)  # every cached entry is stale at once
    unit = await any_harness.bound("社救科工作群", "王科长", "社救科")
    assert f"{LINE_2_3} · 尚无进展" in text_of(await any_harness.say(unit, "/status"))
    now = any_harness.clock.now()
    async with any_harness.core.db.session() as session:
        draft = EntryDraft("2.3", "社救科", "blocked", "王科长", "cli", note="资金未到位")
        await record_entry(session, draft, now)
    shown = _line(text_of(await any_harness.say(unit, "/status")), "2.3")
    assert '遇到困难 "资金未到位"' in shown

    text = default_plan_path().read_text(encoding="utf-8")
    assert text.count("创新社会救助方式") == 1
    edited = tmp_path / "edited.txt"
    edited.write_text(text.replace("创新社会救助方式", "创新社会救助服务方式"), "utf-8")
    async with any_harness.core.db.session() as session:
        assert (await import_plan(session, load_plan(edited), now)).changed
    shown = _line(text_of(await any_harness.say(unit, "/status")), "2.3")
    assert "2.3 创新社会救助服务方式" in shown


async def test_a_task_of_two_units_lists_both_units_reports_in_the_order_made(
    any_harness: Harness,
) -> None:
    unit = await any_harness.bound("社区科工作群", "张科长", "社区科")
    now = any_harness.clock.now()
    async with any_harness.core.db.session() as session:
        for minutes, owner, note in ((-30, "社区科", "已走访5个社区"), (-20, "社救科", "已排查")):
            draft = EntryDraft("2.5", owner, "in_progress", "科长", "cli", note=note)
            await record_entry(session, draft, now + timedelta(minutes=minutes))
    text = text_of(await any_harness.say(unit, "/status 2.5"))
    assert "最近2条进展：" in text
    recent = text.split("最近2条进展：")[1]
    assert recent.index('"已走访5个社区"') < recent.index('"已排查"')
