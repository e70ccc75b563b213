"""Counting a drill: what the pure policy expected against what the emulator saw, the ledger
against what people were told, and what the service logged."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot import render
from tests.chaos.expected import Expected, expected_messages
from tests.chaos.faults import DatabaseFaults
from tests.chaos.fuzz import StrangerFigures
from tests.chaos.people import prompt_keyboard
from tests.chaos.services import local
from vocabulary import cn_date

# A kill closer than this after a message was accepted may duplicate it (generous: the
# window itself is measured in milliseconds).
WINDOW_BOUND = 1.0


@dataclass
class Figures:
    """Everything a drill counts."""

    database: str
    days: int = 0
    seconds: float = 0.0
    first: date | None = None
    last: date | None = None
    prompts_expected: int = 0
    prompts_delivered: int = 0
    prompts_duplicated: int = 0
    prompts_lost: int = 0
    items_wrong: int = 0
    lead_expected: int = 0
    lead_delivered: int = 0
    lead_duplicated: int = 0
    lead_lost: int = 0
    entries_recorded: int = 0
    entries_confirmed: int = 0
    entries_unmatched: int = 0
    kills: int = 0
    kills_in_window: int = 0
    duplicates_unexplained: int = 0
    window_ms_max: float = 0.0
    window_ms_median: float = 0.0
    window_ms_p99: float = 0.0
    sends_measured: int = 0
    api_calls: int = 0
    api_calls_failed: int = 0
    api_faults: dict[str, int] = field(default_factory=dict)
    db: DatabaseFaults = field(default_factory=DatabaseFaults)
    strangers: StrangerFigures = field(default_factory=StrangerFigures)
    outbox_failed: int = 0
    apologies: int = 0
    tracebacks: int = 0
    warnings: int = 0
    warning_kinds: Counter[str] = field(default_factory=Counter)
    not_recorded_heard: int = 0
    anomalies: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def table(self) -> str:
        """Return the figures as the drill prints them."""
        s = self.strangers
        lines = [
            f"chaos drill on {self.database}: {self.days} workdays, {self.first} to {self.last}"
            f" ({self.seconds:.0f} s)",
            f"  prompts   expected {self.prompts_expected}  delivered {self.prompts_delivered}"
            f"  duplicated {self.prompts_duplicated}  lost {self.prompts_lost}"
            f"  wrong items {self.items_wrong}",
            f"  leadership expected {self.lead_expected}  delivered {self.lead_delivered}"
            f"  duplicated {self.lead_duplicated}  lost {self.lead_lost}"
            "  (escalations, digests, 需协调 alerts)",
            f"  entries   recorded {self.entries_recorded}  confirmed to people"
            f" {self.entries_confirmed}  unmatched {self.entries_unmatched}",
            f"  kills -9  {self.kills}  inside accept-to-bookkeeping {self.kills_in_window}"
            f"  unexplained duplicates {self.duplicates_unexplained}",
            f"  window    accept to bookkeeping over {self.sends_measured} sends:"
            f" median {self.window_ms_median:.1f} ms, p99 {self.window_ms_p99:.1f} ms,"
            f" max {self.window_ms_max:.1f} ms",
            f"  API       in the chaos phase {self.api_calls} sending calls,"
            f" {self.api_calls_failed} failed"
            f" ({100 * self.api_calls_failed / max(self.api_calls, 1):.0f}%: {self.api_faults})",
            f"  database  {self.db.terminated} connections terminated, {self.db.restarts}"
            f" restart(s), {self.db.lockouts} lock-out(s), {self.db.seconds:.0f} s of faults",
            f"  strangers {s.updates} updates; bytes beyond the fixed replies {s.other_bytes},"
            f" of plan data {s.plan_bytes}",
            f"  people    heard 'not recorded' {self.not_recorded_heard} times; apologies"
            f" {self.apologies}; failed outbox rows {self.outbox_failed}",
            f"  logs      {self.warnings} warnings, {self.tracebacks} tracebacks",
        ]
        lines += [f"    {n} x {w}" for w, n in self.warning_kinds.most_common(8)]
        lines += [f"  LOST {x}" for x in self.lost[:20]]
        lines += [f"  DUPLICATE {x}" for x in self.duplicates[:20]]
        lines += [f"  ANOMALY {x}" for x in self.anomalies[:20]]
        return "\n".join(lines)


class Counting:
    """The drill's counting (a mixin: the drill holds the emulator, ledger and logs)."""

    async def _count(self) -> Figures:
        figures = Figures(self.url.split(":", 1)[0].replace("postgresql", "PostgreSQL"))
        figures.days, figures.first, figures.last = len(self.days), self.days[0], self.days[-1]
        figures.seconds = sum(t for _, _, t in self.timings)
        done = await self._done_on()
        expected = expected_messages(self.settings, self.days[0], self.days[-1], self.units, done)
        self._count_prompts(expected, figures)
        await self._count_leadership(expected, figures)
        await self._count_entries(figures)
        self._count_window(figures)
        self._count_api(figures)
        figures.db = self.db_faults
        figures.strangers = self.strangers.measure()
        figures.outbox_failed = await self.ledger.scalar(
            "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL"
        )
        sent = [e for e in self.emu.state.events if e["kind"] == "sent"]
        figures.apologies = sum(render.SORRY in str(e["message"].get("text")) for e in sent)
        logs = self.services.all_logs()
        figures.tracebacks = sum("exc" in e for e in logs) + sum(
            "Traceback" in line for line in self.services.raw_lines() if not line.startswith("{")
        )
        figures.warnings = sum(e.get("level") == "WARNING" for e in logs)
        figures.warning_kinds = Counter(
            " ".join(str(e["message"]).split()[:6]) for e in logs if e.get("level") == "WARNING"
        )
        for entry in logs:
            if "exc" in entry:
                last = str(entry["exc"]).strip().splitlines()[-3:]
                figures.anomalies.append(f"traceback: {entry['message']} | {' / '.join(last)}")
        figures.not_recorded_heard = self.tally.not_recorded
        figures.anomalies += self.tally.anomalies
        return figures

    def _sent_with_times(self) -> list[tuple[dict[str, Any], float]]:
        events = self.emu.state.events
        return [(e, t) for e, t in zip(events, self.event_times, strict=False)
                if e["kind"] == "sent"]  # fmt: skip

    def _count_prompts(self, expected: Expected, figures: Figures) -> None:
        by_unit: dict[str, list[int]] = {}
        for chat in self.chats:
            by_unit.setdefault(chat.unit or "", []).append(chat.chat_id)
        wanted: dict[tuple[int, date], Counter[str]] = {}
        for (unit, day), items in expected.prompts.items():
            for chat_id in by_unit.get(unit, []):
                wanted[(chat_id, day)] = items
        got: dict[tuple[int, date], list[tuple[Counter[str], float]]] = {}
        chats = {c.chat_id: c.unit for c in self.chats}
        events = self.emu.state.events
        for index, event in enumerate(events):
            if event["kind"] != "sent" or event["chat_id"] not in chats:
                continue
            text = str(event["message"].get("text", ""))
            if not text.startswith("【督办提醒】"):
                continue
            day = heading_day(text, self.days)
            header = text.split("\n", 1)[0]
            found = prompt_keyboard(events, event["chat_id"], header, index)
            rows = (found[1].get("reply_markup") or {}).get("inline_keyboard") if found else []
            items = Counter(row[0]["text"].split()[0] for row in rows or [])
            at = self.event_times[index] if index < len(self.event_times) else 0.0
            if day is not None:
                got.setdefault((event["chat_id"], day), []).append((items, at))
        figures.prompts_expected = len(wanted)
        for key, items in sorted(wanted.items()):
            copies = got.get(key, [])
            if not copies:
                figures.prompts_lost += 1
                figures.lost.append(f"prompt to chat {key[0]} ({chats[key[0]]}) on {key[1]}")
                continue
            figures.prompts_delivered += 1
            if copies[0][0] != items:
                figures.items_wrong += 1
                figures.anomalies.append(f"prompt {key}: items {copies[0][0]} != {items}")
            self._duplicates(f"prompt {key}", copies, figures, lead=False)
        for key in got.keys() - wanted.keys():
            figures.anomalies.append(f"unexpected prompt to chat {key[0]} on {key[1]}")

    async def _count_leadership(self, expected: Expected, figures: Figures) -> None:
        if self.lead is None:
            return
        blocked = await self.ledger.scalar(
            "SELECT count(*) FROM progress_entries WHERE status = 'blocked'"
        )
        wanted: Counter[str] = Counter()
        for day in expected.escalations:
            wanted[f"【逾期督办】{cn_date(day, weekday=True)}"] += 1
        for day in expected.digests:
            wanted[f"【督办周报】@{day}"] += 1
        got: dict[str, list[tuple[Counter[str], float]]] = {}
        for event, at in self._sent_with_times():
            if event["chat_id"] != self.lead.chat_id:
                continue
            text = str(event["message"].get("text", ""))
            if text.startswith("【逾期督办】"):
                key = text.split(" · ", 1)[0]
            elif text.startswith("【督办周报】"):
                key = f"【督办周报】@{self._week_day(text)}"
            elif text.startswith("【需协调】"):
                key = text  # one per blocked entry; its text names unit, task, note and time
            else:
                continue
            got.setdefault(key, []).append((Counter(), at))
        figures.lead_expected = len(wanted) + int(blocked)
        for key in wanted:
            copies = got.get(key, [])
            if not copies:
                figures.lead_lost += 1
                figures.lost.append(f"leadership {key}")
                continue
            figures.lead_delivered += 1
            self._duplicates(key, copies, figures, lead=True)
        alert_keys = [k for k in got if k.startswith("【需协调】")]
        figures.lead_delivered += min(len(alert_keys), int(blocked))
        figures.lead_lost += max(0, int(blocked) - len(alert_keys))
        for key in alert_keys:
            self._duplicates(key[:30], got[key], figures, lead=True)

    def _week_day(self, text: str) -> date | None:
        for day in self.days:
            if day.isoweekday() <= 5 and f"截至{cn_date(day, weekday=True)}" in text:
                return self._digest_day_of(day)
        return None

    def _digest_day_of(self, day: date) -> date | None:
        monday = day - timedelta(days=day.weekday())
        for offset in range(7):
            candidate = monday + timedelta(days=offset)
            if self.calendar.is_workday(candidate):
                return candidate
        return None

    def _duplicates(
        self, what: str, copies: list[tuple[Counter[str], float]], figures: Figures, lead: bool
    ) -> None:
        if len(copies) < 2:
            return
        extra = len(copies) - 1
        if lead:
            figures.lead_duplicated += extra
        else:
            figures.prompts_duplicated += extra
        accepted = copies[0][1]
        killed = [k - accepted for k in self.services.kills if 0 <= k - accepted <= WINDOW_BOUND]
        if killed:
            figures.kills_in_window += 1
            figures.duplicates.append(
                f"{what}: {len(copies)} copies; a kill {killed[0] * 1000:.0f} ms after the accept"
            )
        else:
            figures.duplicates_unexplained += extra
            figures.duplicates.append(f"{what}: {len(copies)} copies and no kill to explain it")

    async def _count_entries(self, figures: Figures) -> None:
        rows = await self.ledger.rows(
            "SELECT e.reporter_chat_id, t.task_id, e.status FROM progress_entries e"
            " JOIN tasks t ON t.id = e.task_id"
        )
        recorded = Counter((int(chat), task, status) for chat, task, status in rows)
        confirmed = self.tally.confirmed
        figures.entries_recorded = sum(recorded.values())
        figures.entries_confirmed = sum(confirmed.values())
        figures.entries_unmatched = sum(((recorded - confirmed) + (confirmed - recorded)).values())
        for key, n in ((recorded - confirmed) + (confirmed - recorded)).items():
            figures.anomalies.append(f"entries {key}: recorded {recorded[key]}, confirmed "
                                     f"{confirmed[key]} ({n})")  # fmt: skip

    def _count_window(self, figures: Figures) -> None:
        windows = [
            float(w)
            for e in self.services.all_logs()
            for w in str(e.get("windows_ms") or "").split(",")
            if w
        ]
        if windows:
            windows.sort()
            figures.sends_measured = len(windows)
            figures.window_ms_max = windows[-1]
            figures.window_ms_median = statistics.median(windows)
            figures.window_ms_p99 = windows[min(len(windows) - 1, int(len(windows) * 0.99))]

    def _count_api(self, figures: Figures) -> None:
        figures.api_calls = self.chaos_calls
        figures.api_calls_failed = sum(self.chaos_faults.values())
        figures.api_faults = dict(self.chaos_faults)


def local_day(value: Any) -> date:
    """Return the office's date of an instant the ledger stored (SQLite: naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return local(value).date()


def heading_day(text: str, days: list[date]) -> date | None:
    """Return the drill day a prompt's heading names."""
    head = text.split("\n", 1)[0]
    for day in days:
        if head.endswith(cn_date(day, weekday=True)):
            return day
    return None
