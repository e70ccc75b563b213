"""Updates handled per second on each channel, in one run: Telegram updates and WeCom callbacks.

Run: .venv/bin/python benchmarks/bench_channels.py [--updates N]

One service serves both channels at once (as `duban run` does with both configured), against
the local Telegram emulator and the WeCom stand-in, on one SQLite ledger. Each measurement sends
N `/status 社救科` (Telegram: in bound private chats; WeCom: `状态 社救科` from bound members,
spread so that no member exceeds WeCom's 30 messages a minute), and stops when every reply has
been accepted by the stand-in. WeCom's path per event: an encrypted, signed POST to the
callback, verification, decryption, parsing, the dialogue, and an encrypted-token REST reply.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import tempfile
import time
from pathlib import Path

from bot.telegram.app import TelegramConfig
from bot.wecom.door import WeComConfig
from core.runtime import CoreConfig
from core.worker import WorkerOptions
from emulator.server import Emulator
from emulator.wecom import WeComEmulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from service.http import HttpConfig
from service.runner import RunConfig, serving
from storage.invites import create_invite
from vocabulary import DEFAULT_TZ

NOW = __import__("datetime").datetime(2022, 6, 23, 10, 0, tzinfo=DEFAULT_TZ)
WAIT = 300.0
PER_MEMBER = 20  # below WeCom's 30 a minute per member


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def main(n: int) -> None:
    """Serve both channels and measure each."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        async with Emulator.running() as emu, WeComEmulator.running() as wecom:
            config = RunConfig(
                CoreConfig(url, default_plan_path()),
                telegram=TelegramConfig(
                    token=emu.token,
                    api_base_url=emu.base_url,
                    overall_max_rate=0,
                    group_max_rate=0,
                    private_max_rate=0,
                    poll_timeout=1,
                ),
                wecom=WeComConfig(
                    corp_id=wecom.corp_id,
                    agent_id=wecom.agent_id,
                    secret=wecom.secret,
                    token=wecom.token,
                    encoding_aes_key=wecom.encoding_aes_key,
                    api_base_url=wecom.base_url,
                    paced=False,
                ),
                http=HttpConfig("127.0.0.1", _port()),
                worker=WorkerOptions(timers=False),
            )
            async with serving(config, FrozenClock(NOW)) as running:
                wecom.callback_url = f"{running.http_url}/wecom/callback"

                async def code() -> str:
                    async with running.core.db.session() as session:
                        return (await create_invite(session, "社救科", NOW)).code

                # Telegram: ten bound private chats.
                users = [emu.add_user(f"用户{i}") for i in range(10)]
                chats = [emu.add_private_chat(u) for u in users]
                for chat, user in zip(chats, users, strict=True):
                    emu.send(chat.id, user, f"/bind {await code()}")
                members = [f"m{i}" for i in range(max(1, n // PER_MEMBER) + 1)]
                for member in members:
                    wecom.add_member(member, member)
                    await wecom.send_text(member, f"绑定 {await code()}")
                await asyncio.sleep(2)
                telegram_rate = await _telegram(emu, chats, users, n)
                wecom_rate = await _wecom(wecom, members, n)
    print(f"{n} updates per channel, one service serving both, SQLite ledger")
    print(f"Telegram  /status 社救科:   {telegram_rate:7.1f} updates/s")
    print(f"WeCom     状态 社救科:      {wecom_rate:7.1f} callback events/s")


async def _telegram(emu: Emulator, chats: list, users: list, n: int) -> float:  # type: ignore[type-arg]
    before = len(emu.calls_of("sendMessage"))
    start = time.perf_counter()
    for i in range(n):
        emu.send(chats[i % len(chats)].id, users[i % len(users)], "/status 社救科")
    found = await emu.state.wait_for(
        lambda: True if len(emu.calls_of("sendMessage")) - before >= n else None, WAIT
    )
    if found is None:
        raise RuntimeError("Telegram: not every update was answered in time")
    return n / (time.perf_counter() - start)


def _answered(wecom: WeComEmulator) -> int:
    """Return how many messages the stand-in accepted (refused calls do not count)."""
    return sum(1 for call in wecom.calls_of("message/send") if not call.errcode)


async def _wecom(wecom: WeComEmulator, members: list[str], n: int) -> float:
    before = _answered(wecom)
    start = time.perf_counter()
    for start_at in range(0, n, 50):
        # Fifty callbacks in flight at a time, as WeCom's servers post them.
        await asyncio.gather(
            *(
                wecom.send_text(members[i % len(members)], "状态 社救科")
                for i in range(start_at, min(n, start_at + 50))
            )
        )
    found = await wecom.state.wait_for(
        lambda: True if _answered(wecom) - before >= n else None, WAIT
    )
    refused = [c.errcode for c in wecom.calls_of("message/send") if c.errcode]
    if refused:
        raise RuntimeError(f"WeCom refused {len(refused)} replies: {sorted(set(refused))}")
    if found is None:
        raise RuntimeError("WeCom: not every callback was answered in time")
    return n / (time.perf_counter() - start)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=300, help="updates per channel")
    asyncio.run(main(parser.parse_args().updates))
