"""Updates handled per second through the emulator: duban's bot beside a bare PTB echo bot.

Run: .venv/bin/python benchmarks/bench_bot.py [--updates N] [--rounds R] [--quick]
[--no-status-cache]

Three bots run in this process, each against its own local emulator, measured in paired
rounds: in each round the bare echo bot (PTB's defaults, so httpx) answers N messages, duban
answers N strangers' messages and N `/status` in a bound group, and the same echo bot on
duban's HTTP transport (`bot.telegram.transport`, aiohttp) answers N messages, while the
others idle in their long polls. A figure is the median over the rounds of duban's rate
divided by the PTB echo bot's in the same round (the issue's reference), so a slow moment
of a shared machine slows both sides of a pair; beside it, the share of the echo bot on
duban's transport, which tells the bot's own work from the client's. Telegram's flood
limits are lifted for duban's rate limiter here, so the figure measures the bot's own work,
not Telegram's 30 messages/second cap. Each update gets exactly one reply; the clock stops
when the last reply is stored by the emulator. With --no-status-cache every /status reads
the ledger (the core's short-lived status cache is off), which is what a busy bureau's
first /status costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from benchmarks.common import Figure, print_figures
from bot.telegram.app import TelegramConfig
from bot.telegram.transport import AiohttpRequest
from core.runtime import CoreConfig, StatusCache
from core.worker import WorkerOptions
from emulator.server import Emulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from service.runner import RunConfig, serving
from storage.invites import create_invite

NOW = datetime(2022, 6, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WAIT = 300.0
ROUNDS = 5


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text (the baseline)."""
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


@dataclass(frozen=True)
class Rate:
    """Replies per second of wall time, and per second of this process's CPU time (both
    bots and the emulators share the process: CPU time is what a busy machine disturbs
    least)."""

    wall: float
    cpu: float


async def measure_rate(
    emu: Emulator, chats: list[int], users: list[int], text: str, n: int
) -> Rate:
    """Queue n messages round-robin over the chats; return the replies' rate."""
    calls = emu.state.calls
    scanned = len(calls)
    replies = 0
    start, cpu = time.perf_counter(), time.process_time()
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
    return Rate(n / (time.perf_counter() - start), n / (time.process_time() - cpu))


@dataclass(frozen=True)
class Round:
    """One paired round's rates: the echo bot's, then duban's."""

    echo: Rate
    stranger: Rate
    status: Rate
    echo_on_ours: Rate


@dataclass(frozen=True)
class People:
    """The emulator's private chats and their users: who sends the round's messages."""

    chats: list[int]
    users: list[int]

    @classmethod
    def on(cls, emu: Emulator, count: int = 10) -> People:
        """Add `count` people, each with a private chat with the bot."""
        users = [emu.add_user(f"用户{i}").id for i in range(count)]
        return cls([emu.add_private_chat(emu.state.users[u]).id for u in users], users)


@asynccontextmanager
async def echo_bot(emu: Emulator, transport: bool = False) -> AsyncIterator[None]:
    """Run the bare echo bot on `emu` for the block: on PTB's default HTTP client (httpx), or
    on duban's (`bot.telegram.transport`) to tell the client's share from the bot's."""
    builder = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
    )
    if transport:
        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest())
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


@asynccontextmanager
async def duban_bot(emu: Emulator, db_url: str, status_cache: bool) -> AsyncIterator[int]:
    """Run duban's bot on `emu` for the block; yield a group chat bound to 社救科."""
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
    async with serving(config, FrozenClock(NOW)) as running:
        if not status_cache:
            running.core.statuses = StatusCache(ttl=-1.0)  # every entry is stale at once
        group = emu.add_group("社救科工作群")
        async with running.core.db.session() as session:
            code = (await create_invite(session, "社救科", NOW)).code
        await measure_rate(emu, [group.id], [emu.add_user("科长").id], f"/bind {code}", 1)
        yield group.id


async def paired_rounds(n: int, rounds: int, status_cache: bool = True) -> list[Round]:
    """Measure both bots in `rounds` paired rounds of `n` updates each."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        async with (
            Emulator.running() as echo_api,
            Emulator.running() as duban_api,
            Emulator.running() as same_api,
            echo_bot(echo_api),
            echo_bot(same_api, transport=True),
            duban_bot(duban_api, db_url, status_cache) as group,
        ):
            echoed, ours, same = People.on(echo_api), People.on(duban_api), People.on(same_api)
            await measure_rate(echo_api, echoed.chats, echoed.users, "热身", 20)
            await measure_rate(same_api, same.chats, same.users, "热身", 20)
            await measure_rate(duban_api, ours.chats, ours.users, "热身", 20)
            await measure_rate(duban_api, [group], ours.users, "/status", 20)
            found = []
            for _ in range(rounds):
                found.append(
                    Round(
                        await measure_rate(echo_api, echoed.chats, echoed.users, "你好", n),
                        await measure_rate(duban_api, ours.chats, ours.users, "你好", n),
                        await measure_rate(duban_api, [group], ours.users, "/status", n),
                        await measure_rate(same_api, same.chats, same.users, "你好", n),
                    )
                )
    return found


# `/status` against the echo bot (issue 13): with the status cache, and every one reading the
# ledger. The targets are shares of the echo bot's rate in the same round.
STATUS_SHARE = {True: 0.9, False: 0.5}
STRANGER = "stranger message (binding check + how-to-bind reply)"


def status_name(status_cache: bool) -> str:
    """Return the name of the `/status` figure."""
    cached = "" if status_cache else ", status cache off"
    return f"/status in a unit chat (11 rows from the ledger{cached})"


def measure(quick: bool) -> list[Figure]:
    """Return duban's share of the bare echo bot's rate, paired round by round: a stranger's
    message and `/status` with the status cache, then `/status` without."""
    return figures(quick, status_cache=True) + [
        f for f in figures(quick, status_cache=False) if "/status" in f.name
    ]


def figures(quick: bool, status_cache: bool = True) -> list[Figure]:
    """Return one run's figures: each the median share of the echo bot's rate in a round
    (`/status` with its target)."""
    n, rounds = (100, 3) if quick else (500, ROUNDS)
    return round_figures(asyncio.run(paired_rounds(n, rounds, status_cache)), n, status_cache)


def round_figures(found: list[Round], n: int, status_cache: bool) -> list[Figure]:
    """Return the figures of measured rounds of `n` updates each."""
    same = [r.echo_on_ours for r in found]
    return [
        _share(f"duban, {STRANGER}", [(r.stranger, r.echo) for r in found], same, None, n),
        _share(
            f"duban, {status_name(status_cache)}",
            [(r.status, r.echo) for r in found],
            same,
            STATUS_SHARE[status_cache],
            n,
        ),
    ]


def _share(
    name: str,
    pairs: list[tuple[Rate, Rate]],
    same: list[Rate],
    target: float | None,
    n: int,
) -> Figure:
    shares = [ours.wall / echo.wall for ours, echo in pairs]
    same_share = statistics.median(o.wall / s.wall for (o, _), s in zip(pairs, same, strict=True))
    return Figure(
        name,
        statistics.median(shares),
        "x echo",
        target=target,
        higher_is_better=True,
        reference="bare PTB echo bot, same round (share 1.0)",
        reference_value=1.0,
        spread=(min(shares), max(shares)),
        note=f"{same_share:.2f} of the echo bot on duban's transport",
        extra={
            "updates_per_round": n,
            "rounds": len(pairs),
            "updates_per_s": round(statistics.median(ours.wall for ours, _ in pairs), 1),
            "echo_updates_per_s": round(statistics.median(echo.wall for _, echo in pairs), 1),
            "cpu_share": round(statistics.median(o.cpu / e.cpu for o, e in pairs), 3),
            "share_of_echo_on_duban_transport": round(same_share, 3),
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=500, help="messages per measurement")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="paired rounds")
    parser.add_argument("--quick", action="store_true", help="100 updates, 3 rounds")
    parser.add_argument(
        "--no-status-cache", action="store_true", help="every /status reads the ledger"
    )
    args = parser.parse_args()
    cache = not args.no_status_cache
    if args.quick:
        print_figures(figures(True, cache))
    else:
        rounds = asyncio.run(paired_rounds(args.updates, args.rounds, cache))
        print(f"{args.updates} updates per round, {args.rounds} paired rounds, SQLite ledger")
        print(
            "   echo/s  stranger/s (share)  /status/s (share)   [CPU-time shares]"
            "   echo on duban's transport/s"
        )
        for r in rounds:
            stranger, status = r.stranger.wall / r.echo.wall, r.status.wall / r.echo.wall
            print(
                f"{r.echo.wall:9.1f}  {r.stranger.wall:10.1f} ({stranger:.2f})"
                f"  {r.status.wall:9.1f} ({status:.2f})"
                f"   [{r.stranger.cpu / r.echo.cpu:.2f} {r.status.cpu / r.echo.cpu:.2f}]"
                f"   {r.echo_on_ours.wall:9.1f}"
            )
        print_figures(round_figures(rounds, args.updates, cache))
