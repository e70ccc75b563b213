"""Delivery at Telegram's pace, on wall time: 1,000 prompts to 200 groups, and 300 to 7 groups,
through the outbox.

Run: .venv/bin/python benchmarks/bench_pace.py [--quick] [--groups G] [--prompts N]

The real sender, Telegram channel and PTB over HTTP to the emulator enforcing Telegram's
limits (30 a second overall, 20 a minute a group: 429 the moment one is crossed), on a SQLite
ledger. Figures: the most sends in any one second (and, for few groups, into one group in
any minute), the 429s answered, and the pace kept (sends a second from the first to the
last, as a share of 30; for few groups the group limit sets the pace, so it is not shown).
The reference is the same sender with PTB's `AIORateLimiter` (what the bot used before), in
the same run; it drains once, so rows it had to put back after its retries are not counted
in its pace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import AIORateLimiter, ExtBot

from benchmarks.common import Figure, print_figures
from bot.telegram.app import TelegramConfig, rate_limiter
from bot.telegram.channel import TelegramChannel
from core.sender import OutboxSender
from emulator.flood import TELEGRAM_LIMITS, busiest
from emulator.server import Emulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage import outbox
from storage.bootstrap import open_ledger
from storage.chats import chat_key
from storage.records import OutboxDraft
from vocabulary import DEFAULT_TZ

NOW = __import__("datetime").datetime(2022, 6, 23, 10, 0, tzinfo=DEFAULT_TZ)


async def deliver(groups: int, prompts: int, paced: bool) -> dict[str, float]:
    """Queue the prompts, shared out evenly (one group's after another), drain once; return
    what was seen."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        db = await open_ledger(f"sqlite:///{Path(tmp) / 'pace.db'}", default_plan_path(), NOW)
        try:
            async with Emulator.running(flood_limits=TELEGRAM_LIMITS) as emu:
                chat_ids = [emu.add_group(f"第{g}组").id for g in range(groups)]
                async with db.session() as session:
                    drafts = []
                    for g, chat_id in enumerate(chat_ids):
                        key = await chat_key(session, "telegram", str(chat_id), NOW)
                        for n in range(prompts // groups + (g < prompts % groups)):
                            payload: dict[str, object] = {
                                "text": f"{chat_id} 第{n}条",
                                "items": [],
                                "buttons": None,
                            }
                            dedupe = f"{chat_id}-{n}"
                            drafts.append(
                                OutboxDraft(dedupe, key, "社救科", "notice", payload, NOW)
                            )
                    await outbox.enqueue_many(session, drafts, NOW)
                config = TelegramConfig(emu.token, api_base_url=emu.base_url)
                limiter: Any = (
                    rate_limiter(config)
                    if paced
                    else AIORateLimiter(overall_max_rate=30, group_max_rate=20, max_retries=3)
                )
                bot = ExtBot(emu.token, base_url=emu.base_url, rate_limiter=limiter)
                async with bot:
                    sender = OutboxSender(
                        {"telegram": TelegramChannel(bot)}, db, FrozenClock(NOW), DEFAULT_TZ
                    )
                    await sender.drain()
                flood = emu.state.flood
                assert flood is not None
                times = [t for t, _ in flood.sent]
                by_chat: dict[int, list[float]] = {}
                for at, chat_id in flood.sent:
                    by_chat.setdefault(chat_id, []).append(at)
                rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
                return {
                    "sent": len(times),
                    "max_1s": busiest(times, 1.0),
                    "max_group_60s": max((busiest(t, 60.0) for t in by_chat.values()), default=0),
                    "refused": flood.refused,
                    "rate": rate,
                    "seconds": times[-1] - times[0] if times else 0.0,
                }
        finally:
            await db.close()


async def run(groups: int, prompts: int) -> list[Figure]:
    """Measure the paced sender and the reference, one after the other."""
    paced = await deliver(groups, prompts, paced=True)
    started = time.perf_counter()
    reference = await deliver(groups, prompts, paced=False)
    took = time.perf_counter() - started
    what = f"{prompts} prompts to {groups} groups"
    ref = "PTB AIORateLimiter(30/s, 20/min a group), same sender"
    extra = {"paced": paced, "reference_run": reference, "reference_wall_s": round(took, 1)}
    figures = [
        Figure(f"{what}: most sends in any 1 s", paced["max_1s"], "sends", 30,
               reference=ref, reference_value=reference["max_1s"], extra=extra),
        Figure(f"{what}: most sends into one group in any 60 s", paced["max_group_60s"],
               "sends", 20, reference=ref, reference_value=reference["max_group_60s"]),
        Figure(f"{what}: 429 answered", paced["refused"], "429s", 0,
               reference=ref, reference_value=reference["refused"]),
    ]  # fmt: skip
    if overall_bound(groups, prompts):
        figures.append(
            Figure(f"{what}: pace kept, % of 30/s", round(100 * paced["rate"] / 30, 1), "%",
                   95, higher_is_better=True, reference=ref,
                   reference_value=round(100 * reference["rate"] / 30, 1),
                   note=f"{paced['sent']} sent in {paced['seconds']:.1f} s")
        )  # fmt: skip
    return figures


def overall_bound(groups: int, prompts: int) -> bool:
    """Tell whether 30 a second, not a group's 20 a minute (spaced evenly: one each 3 s),
    is what sets how long the prompts take: then the pace is measured against 30/s."""
    overall, window = TELEGRAM_LIMITS.overall
    group, minute = TELEGRAM_LIMITS.group
    per_group = -(-prompts // groups)
    return (per_group - 1) * minute / group <= (prompts - 1) * window / overall


async def both() -> list[Figure]:
    """The two cases of issue 13: many groups (the overall limit), few (each group's)."""
    return await run(200, 1000) + await run(7, 300)


def measure(quick: bool) -> list[Figure]:
    """Return the figures (quick: 300 prompts to 150 groups)."""
    return asyncio.run(run(150, 300) if quick else both())


def main() -> None:
    """Parse options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--groups", type=int)
    parser.add_argument("--prompts", type=int)
    args = parser.parse_args()
    if args.groups is None and args.prompts is None:
        print_figures(measure(args.quick))
        return
    groups = args.groups or (150 if args.quick else 200)
    print_figures(asyncio.run(run(groups, args.prompts or 5 * groups)))


if __name__ == "__main__":
    main()
