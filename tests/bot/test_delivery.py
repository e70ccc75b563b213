"""The outbox goes out once despite restarts, 429s and 500s; long text splits; kicked bots stop."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from plan_data import default_plan_path
from storage import outbox
from storage.bootstrap import open_ledger
from storage.records import OutboxDraft
from tests.bot.harness import SHANGHAI, START, Chat, Harness, text_of

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)


def prompts_in(harness: Harness, chat: Chat) -> list[str]:
    """Return the 【督办提醒】 messages the bot sent to a chat."""
    return [t for t in harness.bot_texts(chat) if t.startswith("【督办提醒】")]


async def test_a_restart_sends_nothing_twice(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    await harness.next_message(unit, containing="【督办提醒】")
    await harness.stop()
    await harness.start()
    await harness.at(NINE + timedelta(minutes=5))
    await harness.at(NINE + timedelta(hours=3))
    reply = await harness.say(unit, "/status 2.3", expect="2.3")
    assert "2.3" in text_of(reply)
    assert len(prompts_in(harness, unit)) == 1
    assert len(harness.emu.calls_of("setMyCommands")) == 2


async def test_429_and_500_delay_delivery_but_lose_nothing(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    harness.emu.fail("sendMessage", times=2, kind="500")
    harness.emu.fail("sendMessage", times=1, kind="429", retry_after=1)
    await harness.at(NINE)
    await harness.next_message(unit, containing="【督办提醒】")
    failures = [c for c in harness.emu.calls_of("sendMessage") if not c.ok]
    assert sorted(c.error_code or 0 for c in failures) == [429, 500, 500]
    assert len(prompts_in(harness, unit)) == 1


async def test_a_long_outage_is_retried_on_a_later_pass(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    harness.emu.fail("sendMessage", times=8, kind="500")
    await harness.at(NINE)
    assert prompts_in(harness, unit) == []
    async with harness.core.db.session() as session:
        waiting = await outbox.get(session, 1)
    assert waiting is not None
    assert waiting.sent_at is None
    assert waiting.last_error == "Internal Server Error"
    await harness.at(NINE + timedelta(minutes=1))
    await harness.at(NINE + timedelta(minutes=5))
    await harness.next_message(unit, containing="【督办提醒】")
    assert len(prompts_in(harness, unit)) == 1


async def test_text_over_4096_characters_is_split(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    lines = [f"第{n}行：" + "督办事项说明" * 20 for n in range(60)]
    async with harness.core.db.session() as session:
        await outbox.enqueue(
            session,
            OutboxDraft("long-1", unit.id, "社救科", "notice", {"text": "\n".join(lines)}, START),
            START,
        )
    await harness.sender.drain()
    sent = [t for t in harness.bot_texts(unit) if t.startswith("第")]
    assert len(sent) >= 2
    assert all(len(t) <= 4096 for t in sent)
    assert "\n".join(sent) == "\n".join(lines)


async def test_a_removed_bot_marks_the_message_failed(harness: Harness) -> None:
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    harness.emu.remove_bot(unit.id)
    await harness.at(NINE)
    async with harness.core.db.session() as session:
        failed = await outbox.failed(session)
    assert [row.chat_id for row in failed] == [unit.id]
    assert "Forbidden" in str(failed[0].last_error)
    # Later passes never retry it; each later message to the chat is tried once, then listed.
    await harness.at(NINE + timedelta(hours=2))
    await harness.at(NINE + timedelta(days=1))
    async with harness.core.db.session() as session:
        failed = await outbox.failed(session)
    assert all(row.attempts == 1 for row in failed)
    kicked = [c for c in harness.emu.calls_of("sendMessage") if c.error_code == 403]
    assert len(kicked) == len(failed)


def test_outbox_failed_lists_undeliverable_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'duban.db'}"

    async def fail_one() -> None:
        db = await open_ledger(url, default_plan_path(), START)
        try:
            async with db.session() as session:
                draft = OutboxDraft("gone-1", -42, "社救科", "prompt", {"text": "x"}, START)
                await outbox.enqueue(session, draft, START)
                row = await outbox.by_dedupe_key(session, "gone-1")
                assert row is not None
                await outbox.mark_failed(session, row.id, "Forbidden: bot was kicked", START)
        finally:
            await db.close()

    asyncio.run(fail_one())
    assert main(["--db", url, "outbox", "failed"]) == 0
    out = capsys.readouterr().out
    assert "chat -42 (社救科) prompt: Forbidden: bot was kicked" in out


async def test_the_scheduler_service_runs_with_the_bot_and_stops_with_it(harness: Harness) -> None:
    await harness.stop()
    harness.run_scheduler = True
    await harness.start()
    service = harness.worker.scheduler
    assert service is not None
    assert service.running
    assert "tick" in service.job_ids()
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    harness.clock.set(NINE)
    await service.run_once()
    await harness.next_message(unit, containing="【督办提醒】")
    await harness.stop()
    assert not service.running


async def test_the_weekly_digest_goes_with_its_chart(harness: Harness) -> None:
    lead = await harness.bound("局领导群", "李局长", None)
    await harness.at(NINE)
    await harness.at(datetime(2022, 6, 27, 9, 0, tzinfo=SHANGHAI))  # Monday: digest day
    digest = await harness.next_message(lead, containing="【督办周报】")
    chart = await harness.next_message(lead, after=digest["message_id"])
    assert chart.get("photo")
    assert text_of(chart) == "各科室进展图"


async def test_a_restart_sends_what_is_due_at_once(harness: Harness) -> None:
    """The pass at start-up: no timer and no one asks, yet the 09:00 prompt goes out."""
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.stop()
    harness.clock.set(NINE + timedelta(minutes=30))
    await harness.start()  # timers off: only the pass at start-up can send it
    await harness.next_message(unit, containing="【督办提醒】社救科 · 6月23日")
    assert len(prompts_in(harness, unit)) == 1
