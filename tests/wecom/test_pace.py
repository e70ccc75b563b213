"""WeCom at its pace: the channel over the real API client, paced by `core.pacing` with WeCom's
limits, against the stand-in that refuses (45009) the 31st message a minute to a member and
the 21st a minute from a robot; on virtual time (the loop's clock paces and the stand-in
counts on it alike)."""

from __future__ import annotations

import asyncio
import os

from bot.wecom.api import WeComApi
from bot.wecom.channel import WeComChannel, WeComRobot
from core.channel import OutgoingMessage
from core.pacing import WECOM, Pacer
from emulator.wecom import WeComEmulator
from tests.core.virtual_time import run_virtually

GRACE = 0.002


async def _burst(members: int, per_member: int, robot_posts: int) -> tuple[int, float, int]:
    """Send every message at once (a task each); return (refusals, seconds taken, accepted)."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    loop = asyncio.get_running_loop()
    async with WeComEmulator.running(clock=loop.time) as wecom:
        userids = [wecom.add_member(f"m{n}", f"成员{n}") for n in range(members)]
        key = wecom.add_robot()
        async with WeComApi(
            wecom.corp_id, wecom.secret, wecom.agent_id, base_url=wecom.base_url,
            pacer=Pacer(WECOM),
        ) as api:  # fmt: skip
            app, robot = WeComChannel(api), WeComRobot(api)
            await api.access_token()
            started = loop.time()
            sends = [
                app.send(userid, OutgoingMessage(f"第{n}条"))
                for userid in userids
                for n in range(per_member)
            ]
            sends += [robot.send(key, OutgoingMessage(f"群第{n}条")) for n in range(robot_posts)]
            await asyncio.gather(*sends)
            took = loop.time() - started
        refused = sum(1 for call in wecom.calls if call.errcode == 45009)
        accepted = sum(len(wecom.messages(u)) for u in userids) + len(wecom.robot_messages(key))
        for userid in userids:
            assert [m["text"]["content"] for m in wecom.messages(userid)] == [
                f"第{n}条" for n in range(per_member)
            ]
        return refused, took, accepted


def test_a_burst_to_members_and_a_robot_gets_no_refusal_and_keeps_order() -> None:
    refused, took, accepted = run_virtually(lambda: _burst(3, 45, 25), grace=GRACE)
    assert refused == 0
    assert accepted == 3 * 45 + 25
    # 45 to one member at one every 2 s (30 a minute); 25 from a robot at one every 3 s.
    assert 88 <= took < 95
