"""A seeded progress history on the real ledger, and what it should read as of two Mondays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage import signoffs
from storage.database import Database
from storage.extensions import decide_extension, request_extension
from storage.progress import record_entry
from storage.records import EntryDraft, EntryStatus

SH = ZoneInfo("Asia/Shanghai")
WEEK27 = datetime(2022, 7, 4, 9, 0, tzinfo=SH)  # first workday of 2022-W27, 09:00
WEEK28 = datetime(2022, 7, 11, 9, 0, tzinfo=SH)

# (task, unit, status, note, when)
HISTORY: list[tuple[str, str, EntryStatus, str, datetime]] = [
    ("2.1", "社救科", "in_progress", "起草文件", datetime(2022, 1, 20, 10, tzinfo=SH)),
    # Blocked and overdue at once: counts as overdue (DESIGN's order), not blocked.
    ("2.1", "社救科", "blocked", "资金未到位", datetime(2022, 6, 1, 10, tzinfo=SH)),
    ("3.4", "社会事务科", "done", "已完成培训", datetime(2022, 5, 10, 16, tzinfo=SH)),
    ("1.1", "婚姻科", "in_progress", "组织学习", datetime(2022, 5, 1, 9, tzinfo=SH)),
    ("5.2", "社区科", "in_progress", "选址完成", datetime(2022, 3, 1, 11, tzinfo=SH)),
    ("2.3", "社救科", "in_progress", "已完成3家机构洽谈", datetime(2022, 6, 20, 15, tzinfo=SH)),
    (
        "3.2",
        "社会事务科",
        "blocked",
        "日照中心选址未定，需协调街道",
        datetime(2022, 6, 20, 10, tzinfo=SH),
    ),
    ("4.1", "社区科", "in_progress", "60% 已指导5个社区", datetime(2022, 6, 28, 14, tzinfo=SH)),
    ("7.3", "综合办", "done", "档案整理完毕", datetime(2022, 7, 1, 17, tzinfo=SH)),
    # After the week-27 digest: must not count as of WEEK27.
    ("2.1", "社救科", "done", "文件已印发", datetime(2022, 7, 5, 10, tzinfo=SH)),
    ("3.2", "社会事务科", "done", "街道已确定选址", datetime(2022, 7, 6, 10, tzinfo=SH)),
]
SIGNED_AFTER = timedelta(hours=1)
EXTENSION_ASKED = datetime(2022, 6, 25, 10, tzinfo=SH)
EXTENSION_APPROVED = datetime(2022, 7, 6, 18, tzinfo=SH)
NEW_DATE = date(2022, 7, 15)

# Expected counts (rows, done, overdue, blocked, in_progress, not_started).
TOTALS_WEEK27 = (66, 2, 2, 1, 3, 58)  # 2.1 and 2.3 overdue; 3.2 blocked
TOTALS_WEEK28 = (66, 4, 0, 0, 4, 58)
# Week 28: 2.1 and 3.2 done, 2.3's due moved to 7-15 by the approved extension.
# 2.3 is in progress again (its extension entry), with 1.1 婚姻科, 5.2 and 4.1.


async def seed_history(db: Database) -> None:
    """Record the history above (each 已完成 signed off by leadership an hour later), and an
    extension for 2.3 asked in June, approved 7-6."""
    async with db.session() as session:
        for n, (task, unit, status, note, at) in enumerate(HISTORY):
            draft = EntryDraft(
                task, unit, status, "王科长", "cli", note=note, source_key=f"telegram:{n}"
            )
            entry = await record_entry(session, draft, at)
            if status == "done":
                await signoffs.record(session, entry.id, "pass", "局长", at + SIGNED_AFTER)
        ask = EntryDraft(
            "2.3",
            "社救科",
            "extension",
            "王科长",
            "cli",
            note="街道调整导致协议需重新审核",
            proposed_date=NEW_DATE,
        )
        entry = await record_entry(session, ask, EXTENSION_ASKED)
        request = await request_extension(
            session, entry.id, NEW_DATE, EXTENSION_ASKED, old_date=date(2022, 6, 30)
        )
        await decide_extension(session, request.id, True, "局长", EXTENSION_APPROVED)
