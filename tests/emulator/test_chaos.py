"""Faults for chaos drills: a share of calls failing at random, hangs before and after a call
takes effect, slow chats, and replicas polling one bot."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import aiohttp

from emulator import Emulator
from emulator.model import Chat, User
from tests.emulator.test_raw_http import call


async def _send(emu: Emulator, chat: Chat, text: str) -> tuple[int, dict[str, Any]]:
    return await call(emu, "sendMessage", json={"chat_id": chat.id, "text": text})


async def test_chaos_fails_about_its_share_of_calls_and_calm_ends_it(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    emu.chaos(1 / 3, ("429", "500"), seed=12)
    statuses = Counter([(await _send(emu, group, f"第{n}条"))[0] for n in range(300)])
    assert set(statuses) == {200, 429, 500}
    assert 70 < statuses[429] + statuses[500] < 130
    assert len(emu.bot_messages(group.id)) == statuses[200]
    emu.calm()
    assert (await _send(emu, group, "平静"))[0] == 200


async def test_chaos_spares_polling_and_start_up(emu: Emulator) -> None:
    emu.chaos(1.0, ("500",))
    assert (await call(emu, "getMe"))[0] == 200
    assert (await call(emu, "getUpdates", json={"timeout": 0}))[0] == 200


async def test_a_hang_before_delays_the_call_and_a_hang_after_delays_its_answer(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    emu.chaos(1.0, ("hang",), hang=0.5)
    started = time.monotonic()
    sending = asyncio.ensure_future(_send(emu, group, "慢"))
    await asyncio.sleep(0.2)
    assert emu.bot_messages(group.id) == []  # not taken yet
    assert (await sending)[0] == 200
    assert time.monotonic() - started >= 0.5
    emu.chaos(1.0, ("hang_after",), hang=0.5)
    sending = asyncio.ensure_future(_send(emu, group, "已收"))
    await asyncio.sleep(0.2)
    assert [m["text"] for m in emu.bot_messages(group.id)] == ["慢", "已收"]  # taken at once
    assert not sending.done()
    assert (await sending)[0] == 200


async def test_a_slow_chat_is_slow_and_others_are_not(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    quick = emu.add_group("社救科")
    emu.slow(0.6, "sendMessage", group.id)
    started = time.monotonic()
    await _send(emu, quick, "快")
    assert time.monotonic() - started < 0.3
    await _send(emu, group, "慢")
    assert time.monotonic() - started >= 0.6


async def test_the_control_api_turns_chaos_and_slowness_on_and_off(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    async with aiohttp.ClientSession() as http:
        body = {"rate": 1.0, "kinds": ["500"], "seed": 1}
        async with http.post(f"{emu.control_url}/chaos", json=body) as answer:
            assert (await answer.json())["ok"] is True
        assert (await _send(emu, group, "x"))[0] == 500
        async with http.post(f"{emu.control_url}/calm", json={}) as answer:
            assert (await answer.json())["ok"] is True
        assert (await _send(emu, group, "x"))[0] == 200


async def test_replicas_polling_one_bot_share_its_updates() -> None:
    async with Emulator.running(shared_polling=True) as emu:
        user = emu.add_user("王科长")
        group = emu.add_group("社区科")
        for n in range(10):
            emu.send(group.id, user, f"/status {n}")

        async def poll() -> list[int]:
            status, body = await call(emu, "getUpdates", json={"timeout": 0, "limit": 3})
            assert status == 200  # never 409 Conflict
            return [u["update_id"] for u in body["result"]]

        taken: list[int] = []
        while batch := await poll() + await poll():
            taken += batch
    assert sorted(taken) == list(range(1, 11))
    assert len(set(taken)) == 10
