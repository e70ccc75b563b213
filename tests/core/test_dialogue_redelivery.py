"""An update that comes twice (Telegram redelivers what a killed process fetched but did not
confirm) records once, and its person hears the confirmation again, not silence; what the
channel will not take is logged, and never cuts short what follows it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot import render
from bot.dialogue import Incoming, Person
from bot.router import Dialogue
from core import binding
from core.buttons import Press
from core.channel import ChatRef, Undeliverable
from core.errors import ForeignButton
from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from scheduler.ledger_pass import reconcile
from storage import questions
from storage.invites import create_invite
from storage.models import OutboxItemRow, OutboxRow
from storage.plans import task_by_id, unit_ids
from storage.progress import count_entries
from tests.core.fakes import FakeChannel, retry_after
from vocabulary import DEFAULT_TZ

NOON = datetime(2022, 6, 23, 12, 0, tzinfo=DEFAULT_TZ)
CHAT = ChatRef("fake", "-100")
WANG = Person("7", "王科长")


@pytest.fixture
async def core(sqlite_url: str) -> AsyncIterator[Core]:
    """Yield a core with one chat bound to 社救科."""
    opened = await Core.open(CoreConfig(sqlite_url, default_plan_path()), FrozenClock(NOON))
    async with opened.db.session() as session:
        code = (await create_invite(session, "社救科", NOON)).code
    await binding.bind(opened, CHAT, code, "社救科工作群")
    try:
        yield opened
    finally:
        await opened.close()


async def test_an_answer_delivered_twice_records_once_and_is_confirmed_twice(core: Core) -> None:
    bound = await binding.binding_of(core, CHAT)
    assert bound is not None
    async with core.db.session() as session:
        # The question a press on 2.3's 进行中 opens.
        task = await task_by_id(session, "2.3")
        await questions.ask(
            session,
            chat_id=bound.chat_id,
            person=WANG.id,
            kind="note",
            now=NOON,
            expires_at=NOON + timedelta(hours=8),
            task_row=task.row,
            unit_id=(await unit_ids(session))["社救科"],
            milestone_id=task.milestones[0].id,
        )
    dialogue = Dialogue(core)
    channel = FakeChannel()
    answer = Incoming(CHAT, WANG, private=False, key="fake:501", text="已与3家机构洽谈")
    await dialogue.handle(answer, channel)
    await dialogue.handle(answer, channel)  # the same update again
    async with core.db.session() as session:
        assert await count_entries(session) == 1
    assert [s.text for s in channel.sent] == ["收到，已记录 2.3 进展（进行中）。"] * 2


async def test_a_refusal_the_channel_will_not_take_is_logged_not_raised(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    # An unknown unit is refused with a sentence, which the channel will not take for now.
    channel = FakeChannel(failures=[retry_after(30)])
    asked = Incoming(CHAT, WANG, private=False, key="fake:502", text="/status 没有这个科室")
    with caplog.at_level(logging.WARNING):
        await Dialogue(core).handle(asked, channel)
    assert channel.calls == 1
    assert channel.sent == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("could not answer" in r.getMessage() for r in caplog.records)


class TooLate:
    """Answers a press as Telegram does one that waited too long: refused (toasts kept)."""

    def __init__(self) -> None:
        self.toasts: list[str | None] = []

    async def __call__(self, text: str | None, alert: bool) -> None:
        self.toasts.append(text)
        raise Undeliverable("BadRequest: Query is too old and response timeout expired")


async def _prompted_item(core: Core, task_id: str) -> int:
    """Send the day's prompt to 社救科 (it is past nine); return its item on `task_id`."""
    await reconcile(core.db, NOON, core.policy, core.calendar)
    bound = await binding.binding_of(core, CHAT)
    assert bound is not None
    async with core.db.session() as session:
        task = await task_by_id(session, task_id)
        item = await session.scalar(
            select(OutboxItemRow.id)
            .join(OutboxRow, OutboxRow.id == OutboxItemRow.outbox_id)
            .where(OutboxRow.chat_id == bound.chat_id, OutboxItemRow.task_id == task.row)
        )
    assert item is not None
    return item


async def test_a_press_whose_toast_is_refused_still_asks_its_question(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    item = await _prompted_item(core, "2.3")
    too_late = TooLate()
    dialogue = Dialogue(core)
    channel = FakeChannel()
    press = Incoming(
        CHAT, WANG, private=False, key="fake:503", event="press",
        press=Press("answer", item, "blocked"), press_ref="1",
    )  # fmt: skip
    with caplog.at_level(logging.WARNING):
        await dialogue.handle(press, channel, too_late)
    assert too_late.toasts == [None]
    assert [s.text for s in channel.sent] == [render.ask_for("blocked", "2.3")]
    assert any("toast was not taken" in r.getMessage() for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # The question was asked, so the answer to it is recorded as the difficulty.
    note = Incoming(
        CHAT, WANG, private=False, key="fake:504", text="场地未落实",
        reply_to=channel.sent[0].ref, reply_to_bot=True,
    )  # fmt: skip
    await dialogue.handle(note, channel)
    assert channel.sent[-1].text == "已记录 2.3 遇到困难，已转告局领导协调。"


async def test_a_refusal_whose_toast_is_refused_is_said_in_the_chat(core: Core) -> None:
    channel = FakeChannel()
    forged = Incoming(
        CHAT, WANG, private=False, key="fake:505", event="press",
        press=Press("answer", 999_999, "done"), press_ref="1",
    )  # fmt: skip
    await Dialogue(core).handle(forged, channel, TooLate())
    refusal = render.error(ForeignButton())
    assert refusal
    assert [s.text for s in channel.sent] == [refusal]


async def test_a_confirmation_whose_toast_is_refused_is_said_in_the_chat(core: Core) -> None:
    item = await _prompted_item(core, "2.3")

    channel = FakeChannel()
    done = Incoming(
        CHAT, WANG, private=False, key="fake:506", event="press",
        press=Press("answer", item, "done"), press_ref="1",
    )  # fmt: skip
    await Dialogue(core).handle(done, channel, TooLate())
    assert [s.text for s in channel.sent] == [
        render.report_done("2.3"),
        render.done_recorded("2.3"),
    ]
    async with core.db.session() as session:
        assert await count_entries(session) == 1
