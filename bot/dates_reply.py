"""Read the new date (and an optional reason) from a reply to 申请延期."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from plan_data.dates import find_date_in_text, read_date


def read_new_date(text: str, now: datetime, tz: ZoneInfo) -> tuple[date, str | None]:
    """Return the date a person typed and what else they wrote; raise the date errors."""
    local_now = now.astimezone(tz)
    # read_date refuses past, unreadable and far-off dates; the rest of the text is the reason.
    new_date = read_date(text.strip(), local_now)
    found = find_date_in_text(text, local_now)
    reason = found[1].strip(" ，,。;；:：") if found else ""
    return new_date, reason or None
