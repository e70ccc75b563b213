"""Open the ledger the way every command and the bot do: connect, migrate, load the plan."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from plan_data import load_plan
from storage.database import Database
from storage.plans import import_plan, plan_year


async def open_ledger(url: str, plan_path: Path, now: datetime) -> Database:
    """Connect and migrate; import the plan at `plan_path` if the ledger has none yet."""
    db = await Database.connect(url)
    try:
        async with db.session() as session:
            # One cheap read: whoever opens the ledger next loads the plan it needs.
            if await plan_year(session) is None:
                await import_plan(session, load_plan(plan_path), now)
    except BaseException:
        await db.close()
        raise
    return db
