"""`duban wecom robot UNIT URL`: post a unit's daily prompts to its group chat's robot too."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from cli.context import run_async
from plan_data.errors import DubanError

if TYPE_CHECKING:
    from cli.context import CliContext

_KEY = re.compile(r"[A-Za-z0-9-]{8,100}")


class BadRobot(DubanError):
    """A webhook that is not a WeCom group robot's."""


def register(sub: Any) -> None:
    """Add `wecom robot`."""
    wecom = sub.add_parser("wecom", help="WeCom (企业微信) administration")
    wecom_sub = wecom.add_subparsers(dest="wecom_command", metavar="WHAT", required=True)
    robot = wecom_sub.add_parser(
        "robot", help="post a unit's daily prompts to its group robot (群机器人) too"
    )
    robot.add_argument("unit", help="the unit (社区科, …)")
    robot.add_argument("url", nargs="?", help="the robot's webhook URL (or its key)")
    robot.add_argument("--remove", action="store_true", help="stop posting to the unit's robot")
    robot.set_defaults(func=robot_command)


def robot_key(text: str) -> str:
    """Return the key of a robot webhook URL (…/webhook/send?key=KEY) or of a bare key."""
    value = text.strip()
    if value.startswith(("http://", "https://")):
        keys = parse_qs(urlparse(value).query).get("key", [])
        value = keys[0] if len(keys) == 1 else ""
    if not _KEY.fullmatch(value):
        raise BadRobot(
            "not a WeCom group robot webhook: expected "
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY"
        )
    return value


def robot_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Store (or remove) a unit's group robot."""
    if args.remove == bool(args.url):
        raise BadRobot("give the robot's webhook URL, or --remove (not both)")

    async def run() -> str:
        from core import binding
        from core.runtime import Core

        core = await Core.open(ctx.core_config(), ctx.clock)
        try:
            if args.remove:
                gone = await binding.unbind_robot(core, args.unit)
                unit = core.units.resolve(args.unit)
                return f"removed {len(gone)} group robot(s) of {unit}"
            key = robot_key(args.url)
            bound = await binding.bind_robot(core, args.unit, key)
        finally:
            await core.close()
        shown = f"{key[:4]}…{key[-4:]}"
        return f"group robot {shown} stored for {bound.unit}: its daily prompts go there too"

    print(run_async(run()), file=ctx.out)
    return 0
