"""A separate process that writes progress entries (for the concurrency tests).

Usage: python -m tests.storage.writer URL NAME COUNT [PAUSE_AT]
Writes COUNT entries with update ids unique to NAME, COUNT with ids shared by every writer,
and COUNT without ids, each in its own transaction; prints "ok" when done. With PAUSE_AT, it
prints "paused" after that many rounds and waits for a line on stdin before going on, so a
test can act while the writer is certainly mid-way.
"""

from __future__ import annotations

import asyncio
import sys
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.database import Database
from storage.progress import record_entry
from storage.records import EntryDraft

AT = datetime(2022, 6, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def write(url: str, name: str, count: int, pause_at: int | None = None) -> None:
    """Write the entries, alternating between kinds so that writers interleave."""
    db = await Database.connect(url)
    own = zlib.crc32(name.encode()) * 1000
    try:
        for i in range(count):
            if i == pause_at:
                print("paused", flush=True)
                await asyncio.to_thread(sys.stdin.readline)
            for update_id in (own + i, 500_000 + i, None):
                async with db.session() as session:
                    draft = EntryDraft(
                        "7.2",
                        "社区科",
                        "in_progress",
                        name,
                        "telegram",
                        note=f"{name} {i}",
                        source_key=None if update_id is None else f"telegram:{update_id}",
                    )
                    await record_entry(session, draft, AT)
    finally:
        await db.close()
    print("ok")


if __name__ == "__main__":
    pause = int(sys.argv[4]) if len(sys.argv) > 4 else None
    asyncio.run(write(sys.argv[1], sys.argv[2], int(sys.argv[3]), pause))
