"""A separate process that writes progress entries (for the concurrency tests).

Usage: python -m tests.storage.writer URL NAME COUNT
Writes COUNT entries with update ids unique to NAME, COUNT with ids shared by every writer,
and COUNT without ids, each in its own transaction; prints "ok" when done.
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


async def write(url: str, name: str, count: int) -> None:
    """Write the entries, alternating between kinds so that writers interleave."""
    db = await Database.connect(url)
    own = zlib.crc32(name.encode()) * 1000
    try:
        for i in range(count):
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
    asyncio.run(write(sys.argv[1], sys.argv[2], int(sys.argv[3])))
