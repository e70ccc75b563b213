"""Run the emulator as a process: `python -m emulator --port 8081`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from emulator.flood import TELEGRAM_LIMITS
from emulator.server import DEFAULT_TOKEN, Emulator


async def serve(host: str, port: int, token: str, privacy_mode: bool, flood: bool) -> None:
    """Serve until interrupted, printing the URLs clients need."""
    limits = TELEGRAM_LIMITS if flood else None
    async with Emulator.running(
        host, port, token=token, privacy_mode=privacy_mode, flood_limits=limits
    ) as emulator:
        sys.stdout.write(
            f"base_url={emulator.base_url}\n"
            f"base_file_url={emulator.base_file_url}\n"
            f"control_url={emulator.control_url}\n"
            f"token={emulator.token}\n"
            "clients on loopback: set NO_PROXY=127.0.0.1,localhost\n"
        )
        sys.stdout.flush()
        await asyncio.Event().wait()


def main() -> None:
    """Parse options and serve."""
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token to accept")
    parser.add_argument(
        "--no-privacy",
        action="store_true",
        help="let the bot see every group message (privacy mode off)",
    )
    parser.add_argument(
        "--flood-limits",
        action="store_true",
        help="answer 429 when a send crosses Telegram's limits (30/s, 20/min a group, 1/s a chat)",
    )
    args = parser.parse_args()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                serve(args.host, args.port, args.token, not args.no_privacy, args.flood_limits)
            )
    except (ValueError, OSError) as exc:  # a non-loopback host, a port in use
        parser.exit(1, f"error: {exc}\n")


if __name__ == "__main__":
    main()
