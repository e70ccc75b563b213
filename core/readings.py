"""What a report says beyond its status, read once for every door (pure functions).

- Progress against the task's targets (`已建成3家` against `老人家食堂5家`: 3/5), clause by
  clause so that one note may report several targets (`日照中心建成2个，新增床位60张`); a
  percent given apart from the note (`60% 已签约3家` → 60) counts when the note has none.
- That the event a milestone waits for happened (`《实施方案》印发 3月5日`, `已批复`): the
  note names the event (shares two or more characters with it), says it happened (a date,
  or 已/了), and does not deny it (未/没/尚未/待 just before it). The day is the date written
  (`3月5日`, `2022年3月5日`, `2022-03-05`, 今天/昨天/前天), else the day of the report; a
  day after the report's is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta

from plan_data.model import Progress
from plan_data.targets import read_progress
from storage.records import ReadingDraft, TargetRecord

_CLAUSE = re.compile(r"[，,；;。\n]")
_FULL_DATE = re.compile(r"(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})")
_MONTH_DAY = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_RELATIVE = {"前天": 2, "昨天": 1, "昨日": 1, "今天": 0, "今日": 0}
_DENIED = re.compile(r"(?:未|没|尚未|还未|待|暂未|仍未)\s*$")
_HAPPENED = re.compile(r"已|了")
_YEAR_TURN_DAYS = 300


def read_readings(
    note: str | None, percent: int | None, targets: Sequence[TargetRecord]
) -> tuple[ReadingDraft, ...]:
    """Return the progress a report gives against a task's targets (none: not a reading)."""
    plain = tuple(t.target for t in targets)
    found: dict[int | None, ReadingDraft] = {}
    for clause in _CLAUSE.split(note or ""):
        progress = read_progress(clause, plain) if clause.strip() else None
        if progress is not None:
            reading = _draft(progress, targets)
            found.setdefault(reading.target_id, reading)
    if not found and percent is not None:
        progress = read_progress(f"{percent}%", plain)
        if progress is not None:
            reading = _draft(progress, targets)
            found[reading.target_id] = reading
    return tuple(found.values())


def _draft(progress: Progress, targets: Sequence[TargetRecord]) -> ReadingDraft:
    target_id = next((t.id for t in targets if t.target is progress.target), None)
    return ReadingDraft(target_id, float(progress.value), float(progress.share), progress.text)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _shared_run(event: str, note: str) -> tuple[int, int] | None:
    """Return where in the note the longest run of the event's characters (two or more, or
    the whole of a one-character event) stands, if any."""
    best: tuple[int, int] | None = None
    need = min(2, len(event))
    for i in range(len(event)):
        for j in range(len(event), i + need - 1, -1):
            if best is not None and j - i <= best[1] - best[0]:
                break
            at = note.find(event[i:j])
            if at >= 0:
                best = (at, at + j - i)
                break
    return best


def read_day(note: str, today: date, near: int = 0) -> date | None:
    """Return the day a note names (the one written nearest `near`), or None.

    A day without a year is in today's year, or the year before when that year would put
    it most of a year ahead (`12月28日` said on 1月3日). It may still be after today: the
    caller refuses it.
    """
    text = _plain(note)
    found: list[tuple[int, date]] = []
    for m in _FULL_DATE.finditer(text):
        found.append((m.start(), date(int(m["y"]), int(m["m"]), int(m["d"]))))
    for m in _MONTH_DAY.finditer(text):
        if any(start <= m.start() < start + 12 for start, _ in found):
            continue  # the month and day of a full date already read
        day = date(today.year, int(m["m"]), int(m["d"]))
        if (day - today).days > _YEAR_TURN_DAYS:
            day = date(today.year - 1, day.month, day.day)
        found.append((m.start(), day))
    if found:
        return min(found, key=lambda item: abs(item[0] - near))[1]
    for word, back in _RELATIVE.items():
        if word in text:
            return today - timedelta(days=back)
    return None


def read_event(note: str | None, events: Sequence[str], today: date) -> tuple[int, date] | None:
    """Return (which event, the day it happened) if the note reports one of these events.

    Raises ValueError for a date that cannot be a day (`2月30日`); the caller refuses a day
    after today.
    """
    if not note:
        return None
    text = _plain(note)
    for index, event in enumerate(events):
        words = _plain(event).strip("《》“”\"' ")
        run = _shared_run(words, text) if words else None
        if run is None or _DENIED.search(text[: run[0]]):
            continue
        day = read_day(text, today, run[0])
        if day is None and not _HAPPENED.search(text):
            continue
        return index, day or today
    return None
