"""The collector is paused for a reconcile pass and back on after it, whatever happens."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from scheduler.heap import collector_paused
from scheduler.reconcile import plan_pass
from storage.database import Database
from storage.records import OutboxDraft
from tests.scheduler.helpers import at, bind_everyone, run


async def test_a_pass_runs_with_the_collector_off_and_turns_it_back_on(
    ledger: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    seen: list[bool] = []

    async def watched(*args: Any) -> list[OutboxDraft]:
        seen.append(gc.isenabled())
        return await plan_pass(*args)

    monkeypatch.setattr("scheduler.ledger_pass.plan_pass", watched)
    result = await run(ledger, at(2022, 6, 23))
    assert result.written  # a busy pass: prompts written
    assert seen == [False]
    assert gc.isenabled()


async def test_a_failed_pass_turns_the_collector_back_on(
    ledger: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> list[OutboxDraft]:
        raise RuntimeError("a bug in the rules")

    monkeypatch.setattr("scheduler.ledger_pass.plan_pass", broken)
    with pytest.raises(RuntimeError):
        await run(ledger, at(2022, 6, 23))
    assert gc.isenabled()


def test_nested_pauses_leave_it_on_once_the_outer_one_ends() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block is still running
    assert gc.isenabled()


def test_interleaved_pauses_leave_it_on_once_the_first_one_ends() -> None:
    # Two passes in one event loop: the first ends while the second still runs.
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


async def test_a_pause_that_outlasts_its_limit_gets_the_collector_back() -> None:
    # A pass stuck on an unanswering database: the limit (here: at once) turns it back on.
    with collector_paused(at_most=0):
        assert not gc.isenabled()
        await asyncio.sleep(0)  # the limit falls due on the loop's next turn
        await asyncio.sleep(0)  # and has run by the one after
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_paused_collector_stays_off_for_whoever_paused_it() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
