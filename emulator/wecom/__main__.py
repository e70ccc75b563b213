"""Run the WeCom stand-in as a process: `python -m emulator.wecom --port 8082`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from emulator.wecom.server import WeComEmulator


async def serve(host: str, port: int, callback_url: str | None, members: list[str]) -> None:
    """Serve until interrupted, printing the settings a bot needs."""
    async with WeComEmulator.running(host, port) as emulator:
        emulator.callback_url = callback_url
        for member in members:
            emulator.add_member(member)
        sys.stdout.write(
            f"WECOM_API_BASE_URL={emulator.base_url}\n"
            f"WECOM_CORP_ID={emulator.corp_id}\n"
            f"WECOM_AGENT_ID={emulator.agent_id}\n"
            f"WECOM_SECRET={emulator.secret}\n"
            f"WECOM_TOKEN={emulator.token}\n"
            f"WECOM_ENCODING_AES_KEY={emulator.encoding_aes_key}\n"
        )
        sys.stdout.flush()
        await asyncio.Event().wait()


def main() -> None:
    """Parse options and serve."""
    parser = argparse.ArgumentParser(prog="python -m emulator.wecom", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8082, help="0 picks a free port")
    parser.add_argument("--callback-url", help="the bot's http://…/wecom/callback")
    parser.add_argument("--member", action="append", default=[], help="a userid (repeatable)")
    args = parser.parse_args()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args.host, args.port, args.callback_url, args.member))
    except (ValueError, OSError) as exc:
        parser.exit(1, f"error: {exc}\n")


if __name__ == "__main__":
    main()
