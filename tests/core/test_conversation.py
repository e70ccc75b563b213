"""Questions the bot asks: stored, closed when answered, lapsing after a day; on both
databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from core import conversation, errors, progress, queries
from core.actor import Reporter
from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage.chats import chat_key
from storage.records import EntryRecord
from vocabulary import DEFAULT_TZ

NOON = datetime(2022, 6, 23, 12, 0, tzinfo=DEFAULT_TZ)
WANG = Reporter("王科长", "telegram", key=None)


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    """Yield a core on an empty ledger with the seed plan, its clock frozen at noon."""
    opened = await Core.open(CoreConfig(database_url, default_plan_path()), FrozenClock(NOON))
    try:
        yield opened
    finally:
        await opened.close()


async def _chat(core: Core) -> int:
    async with core.db.session() as session:
        return await chat_key(session, "telegram", "-100", core.now(), "社救科工作群")


async def test_an_answer_closes_its_question_and_a_second_answer_records_nothing(
    core: Core,
) -> None:
    chat = await _chat(core)
    entry = await _done(core, chat)
    asked = await conversation.ask(core, chat, "7", "evidence", entry=entry)
    assert await conversation.open_question(core, chat, "7") == asked
    assert await conversation.open_question(core, chat, "8") is None  # someone else's
    answered = await conversation.answer(core, asked, "协议已签署", by=_in(chat))
    assert answered.entry is not None
    assert answered.entry.note == "协议已签署"
    assert await conversation.open_question(core, chat, "7") is None
    with pytest.raises(errors.QuestionClosed):
        await conversation.answer(core, asked, "谢谢领导关心", by=_in(chat))
    view = await queries.task_view(core, "2.3", "社救科")
    assert [e.note for e in view.entries] == [None, "协议已签署"]


async def test_a_question_lapses_after_the_set_hours(core: Core) -> None:
    chat = await _chat(core)
    entry = await _done(core, chat)
    await conversation.ask(core, chat, "7", "evidence", entry=entry)
    assert isinstance(core.clock, FrozenClock)
    core.clock.advance(timedelta(hours=core.policy.question_hours) - timedelta(seconds=1))
    assert await conversation.open_question(core, chat, "7") is not None
    core.clock.advance(timedelta(seconds=1))
    assert await conversation.open_question(core, chat, "7") is None


async def test_a_date_that_cannot_be_used_leaves_the_question_open(core: Core) -> None:
    chat = await _chat(core)
    entry = await _done(core, chat, "2.4")
    asked = await conversation.ask(core, chat, "7", "date", entry=entry)
    with pytest.raises(errors.NotExtendable):
        await conversation.answer(core, asked, "7月15日", by=_in(chat))
    assert await conversation.open_question(core, chat, "7") is not None


def _in(chat: int) -> Reporter:
    return Reporter(WANG.name, WANG.source, chat)


async def _done(core: Core, chat: int, task: str = "2.3") -> EntryRecord:
    return await progress.report(core, "社救科", task, "done", by=_in(chat))
