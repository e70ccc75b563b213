"""Documents the office files and stamps, filled from Word templates it can restyle.

- 督办通知单: `notice_document(db, task_id, unit, as_of, tz, reply_by=, issuer=, templates_dir=)`
- 督查通报: `bulletin_document(db, period, now, tz, issuer=, templates_dir=)`
- 工作要点落实情况报告: `summary_document(db, period, unit, now, tz, issuer=, templates_dir=)`

Each reads the same query layer as `/status`, the digest and the 台账 (`storage.status`,
`reports.source`, `storage.timeliness`) and returns .docx bytes; `notice_for`,
`bulletin_for` and `summary_for` return the filled-in fields for tests and other doors.
"""

from reports.documents.bulletin import Bulletin, bulletin_document, bulletin_for
from reports.documents.notice import NothingToUrge, Notice, notice_document, notice_for
from reports.documents.periods import (
    Period,
    cn_full_date,
    half_period,
    month_period,
    week_period,
    year_period,
)
from reports.documents.summary import Summary, summary_document, summary_for

__all__ = [
    "Bulletin",
    "NothingToUrge",
    "Notice",
    "Period",
    "Summary",
    "bulletin_document",
    "bulletin_for",
    "cn_full_date",
    "half_period",
    "month_period",
    "notice_document",
    "notice_for",
    "summary_document",
    "summary_for",
    "week_period",
    "year_period",
]
