"""Pause a unit's reminders for a period (leave, an emergency), and resume them: leadership only.

During a pause the unit gets no prompts and its overdue prompts are not counted (so no
escalation either); its rows show ⏸ with the reason. Deadlines do not move: that stays an
extension. Pauses and resumes are append-only events (`storage.pauses`); a new pause of a
unit replaces what was set for it from its first day on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DateNotUnderstood, DubanError
from core.runtime import Core
from plan_data.dates import find_date_in_text, read_date
from storage import pause_queries, pauses
from storage.records import BindingRecord

# The office at its terminal (`duban pause`), acting with the leadership's authority.
OFFICE: Literal["office"] = "office"
Authority = BindingRecord | Literal["office"]
_EDGE = " ，,。;；:：、"
_REASON_WORDS = ("原因是", "原因为", "原因", "因为", "因")
_EVER = datetime.max.replace(tzinfo=UTC)


class PauseLeadershipOnly(DubanError):
    """A pause or resume asked for by someone other than the leadership."""

    def __init__(self) -> None:
        super().__init__("only the leadership may pause or resume a unit's reminders")


class PauseNeedsReason(DubanError):
    """A pause without a reason (the ledger and the rows show why a unit is paused)."""

    def __init__(self) -> None:
        super().__init__("a pause needs a reason (--reason)")


class PauseEndsBeforeStart(DubanError):
    """A pause whose last day comes before its first."""

    def __init__(self, first: date, last: date) -> None:
        self.first = first
        self.last = last
        super().__init__(
            f"the pause would end on {last.isoformat()}, before it starts on {first.isoformat()}"
        )


class PauseBeyondPlanYear(DubanError):
    """A pause running past the plan's year (`6月1日` typed in June reads as next year's)."""

    def __init__(self, last: date, limit: date) -> None:
        self.last = last
        self.limit = limit
        super().__init__(
            f"a pause may run up to {limit.isoformat()}, the end of the plan's year, "
            f"not to {last.isoformat()}"
        )


class NotPaused(DubanError):
    """A resume for a unit with no pause running or planned."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        super().__init__(f"{unit} is not paused")


@dataclass(frozen=True, slots=True)
class Pause:
    """A unit's reminders held from one day to another (both included), and why."""

    unit: str
    first: date
    last: date
    reason: str | None


@dataclass(frozen=True, slots=True)
class PeriodText:
    """What a person typed after the unit: `[7月4日]至7月15日 原因`."""

    first: date | None
    last: date
    reason: str | None


def read_period(text: str, now: datetime) -> PeriodText:
    """Read `至7月15日 防汛抢险` or `7月4日至7月15日 防汛抢险` (dates in the future only)."""
    head, sep, tail = _split_period(text)
    first = None
    if sep and head.strip(_EDGE):
        first = read_date(head.strip(_EDGE), now)
    found = find_date_in_text(tail, now)
    if found is None:
        raise DateNotUnderstood(tail)
    # Read again as ISO: the same refusal of past and far-off dates as any typed date.
    last = read_date(found[0].isoformat(), now)
    return PeriodText(first, last, _reason(found[1]))


def _split_period(text: str) -> tuple[str, str, str]:
    """Split at the first 至 / 到 / ~ / — that separates two dates (or leads the last one)."""
    for sep in ("至", "到", "~", "～", "—", "－"):
        head, found, tail = text.partition(sep)
        if found:
            return head, found, tail
    return "", "", text


def _reason(text: str) -> str | None:
    rest = text.strip(_EDGE)
    for word in _REASON_WORDS:
        if rest.startswith(word):
            rest = rest[len(word) :].strip(_EDGE)
            break
    return rest or None


async def _history(
    session: AsyncSession, core: Core, unit: str
) -> tuple[datetime, list[tuple[date, date, str | None]]]:
    """Return when the next event of a unit is recorded, and the unit's pause windows.

    Every recorded event counts, and the next one is never recorded before the last: with
    `--clock X` every command's clock starts at X, so a pause recorded at X plus a second
    by one command must still come before the resume the next command records.
    """
    found = (await pause_queries.events(session, _EVER, unit)).get(unit, [])
    now = max([core.now(), *(event.at for event in found)])
    return now, pauses.windows(found)


def check_authority(who: Authority) -> None:
    """Refuse anyone but the leadership (or the office at its terminal)."""
    if who != OFFICE and not (isinstance(who, BindingRecord) and who.is_leadership):
        raise PauseLeadershipOnly


async def pause_unit(
    core: Core,
    who: Authority,
    unit: str,
    last: date,
    *,
    reason: str | None,
    by: str,
    first: date | None = None,
) -> Pause:
    """Hold a unit's prompts and overdue counting from `first` (default today) to `last`."""
    check_authority(who)
    name = core.units.resolve(unit)
    first = first or core.today()
    if first > last:
        raise PauseEndsBeforeStart(first, last)
    if last > date(core.plan_year, 12, 31):
        raise PauseBeyondPlanYear(last, date(core.plan_year, 12, 31))
    why = (reason or "").strip() or None
    if why is None:
        raise PauseNeedsReason
    async with core.db.session() as session:
        now, held = await _history(session, core, name)
        if any(end >= first for _, end, _ in held):
            # Whatever was set from that day on gives way to the new period.
            await pause_queries.record(session, name, "resume", first, None, None, by, now)
        await pause_queries.record(session, name, "pause", first, last, why, by, now)
    core.changed()
    return Pause(name, first, last, why)


async def resume_unit(
    core: Core, who: Authority, unit: str, *, by: str, first: date | None = None
) -> Pause:
    """End a unit's pause (or cancel a planned one) from `first` on (default today); return
    the pause that was ended."""
    check_authority(who)
    name = core.units.resolve(unit)
    first = first or core.today()
    async with core.db.session() as session:
        now, held = await _history(session, core, name)
        ending = [(start, end, why) for start, end, why in held if end >= first]
        if not ending:
            raise NotPaused(name)
        await pause_queries.record(session, name, "resume", first, None, None, by, now)
    core.changed()
    start, end, why = ending[0]
    return Pause(name, start, end, why)
