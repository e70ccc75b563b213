"""Updates handled per second through the emulator: duban's bot beside a bare PTB echo bot.

Run: .venv/bin/python benchmarks/bench_bot.py [--updates N] [--quick] [--no-status-cache]

All bots run in this process against one local emulator, one after the other, with the same
PTB settings (long polling, sequential updates). Telegram's flood limits are lifted for
duban's rate limiter here, so the figure measures the bot's own work, not Telegram's
30 messages/second cap. Each update gets exactly one reply; the clock stops when the last
reply is stored by the emulator. With --no-status-cache every /status reads the ledger (the
core's short-lived status cache is off), which is what a busy bureau's first /status costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from benchmarks.common import Figure, print_figures
from bot.telegram.app import TelegramConfig
from core.runtime import CoreConfig, StatusCache
from core.worker import WorkerOptions
from emulator.server import Emulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from service.runner import RunConfig, serving
from storage.invites import create_invite

NOW = datetime(2022, 6, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WAIT = 300.0
ROUNDS = 3


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text (the baseline)."""
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


async def measure_rate(
    emu: Emulator, chats: list[int], users: list[int], text: str, n: int
) -> float:
    """Queue n messages round-robin over the chats; return replies per second."""
    calls = emu.state.calls
    scanned = len(calls)
    replies = 0
    start = time.perf_counter()
    for i in range(n):
        emu.send(chats[i % len(chats)], users[i % len(users)], text)

    def done() -> bool | None:
        # Count only calls made since the last look: the log grows through the whole run.
        nonlocal scanned, replies
        fresh = calls[scanned:]
        scanned += len(fresh)
        replies += sum(1 for call in fresh if call.method == "sendMessage")
        return True if replies >= n else None

    finished = await emu.state.wait_for(done, WAIT)
    if finished is None:
        raise RuntimeError("the bot did not answer every update in time")
    return n / (time.perf_counter() - start)


async def best_of(rounds: int, run: Callable[[], Awaitable[float]]) -> float:
    """Return the best of several measurements (the machine is shared; noise only slows)."""
    return max([await run() for _ in range(rounds)])


async def echo_rate(
    emu: Emulator, chats: list[int], users: list[int], n: int, rounds: int = ROUNDS
) -> float:
    """Run the bare echo bot and measure it."""
    app = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            await measure_rate(emu, chats, users, "热身", 20)
            return await best_of(rounds, lambda: measure_rate(emu, chats, users, "你好", n))
        finally:
            await app.updater.stop()
            await app.stop()


async def duban_rates(
    emu: Emulator,
    chats: list[int],
    users: list[int],
    n: int,
    db_url: str,
    rounds: int = ROUNDS,
    status_cache: bool = True,
) -> dict[str, float]:
    """Run duban's bot and measure a stranger's message and a bound chat's /status."""
    config = RunConfig(
        CoreConfig(db_url, default_plan_path()),
        telegram=TelegramConfig(
            token=emu.token,
            api_base_url=emu.base_url,
            overall_max_rate=0,
            group_max_rate=0,
            private_max_rate=0,
            poll_timeout=1,
        ),
        worker=WorkerOptions(timers=False),
    )
    rates: dict[str, float] = {}
    async with serving(config, FrozenClock(NOW)) as running:
        if not status_cache:
            running.core.statuses = StatusCache(ttl=-1.0)  # every entry is stale at once
        await measure_rate(emu, chats, users, "热身", 20)
        rates["stranger message (binding check + how-to-bind reply)"] = await best_of(
            rounds, lambda: measure_rate(emu, chats, users, "你好", n)
        )
        group = emu.add_group("社救科工作群")
        async with running.core.db.session() as session:
            code = (await create_invite(session, "社救科", NOW)).code
        await measure_rate(emu, [group.id], users[:1], f"/bind {code}", 1)
        cached = "" if status_cache else ", status cache off"
        rates[f"/status in a unit chat (11 rows from the ledger{cached})"] = await best_of(
            rounds, lambda: measure_rate(emu, [group.id], users, "/status", max(20, n // 5))
        )
    return rates


async def rates(n: int, rounds: int, status_cache: bool = True) -> tuple[float, dict[str, float]]:
    """Run both bots on one emulator; return the echo bot's rate and duban's."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        async with Emulator.running() as emu:
            users = [emu.add_user(f"用户{i}").id for i in range(10)]
            chats = [emu.add_private_chat(emu.state.users[u]).id for u in users]
            baseline = await echo_rate(emu, chats, users, n, rounds)
            ours = await duban_rates(emu, chats, users, n, db_url, rounds, status_cache)
    return baseline, ours


# `/status` against the echo bot (issue 13): with the status cache, and every one reading the
# ledger. The targets are shares of the echo bot's rate in the same run.
STATUS_SHARE = {True: 0.9, False: 0.5}


def measure(quick: bool) -> list[Figure]:
    """Return duban's updates per second beside the bare echo bot's, measured in the same
    run: a stranger's message and `/status` with the status cache, then `/status` without."""
    return figures(quick, status_cache=True) + [
        f for f in figures(quick, status_cache=False) if f.name.startswith("duban, /status")
    ]


def figures(quick: bool, status_cache: bool = True) -> list[Figure]:
    """Return one run's figures (`/status` with its target: a share of the echo bot's rate)."""
    n, rounds = (100, 2) if quick else (500, ROUNDS)
    baseline, ours = asyncio.run(rates(n, rounds, status_cache))
    return [
        Figure(
            f"duban, {name}",
            rate,
            "updates/s",
            target=STATUS_SHARE[status_cache] * baseline if "/status" in name else None,
            higher_is_better=True,
            reference="bare PTB echo bot",
            reference_value=baseline,
            extra={"updates": n, "rounds": rounds},
        )
        for name, rate in ours.items()
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=500, help="messages per measurement")
    parser.add_argument("--quick", action="store_true", help="100 updates, best of 2")
    parser.add_argument(
        "--no-status-cache", action="store_true", help="every /status reads the ledger"
    )
    args = parser.parse_args()
    cache = not args.no_status_cache
    if args.quick:
        print_figures(figures(True, cache))
    else:
        baseline, ours = asyncio.run(rates(args.updates, ROUNDS, cache))
        print(
            f"updates: {args.updates} per round, best of {ROUNDS} (round-robin over 10"
            " private chats), SQLite ledger"
        )
        print(f"bare PTB echo bot:                     {baseline:8.1f} updates/s")
        for name, rate in ours.items():
            print(f"duban, {name}: {rate:8.1f} updates/s ({rate / baseline:.2f} of echo)")
