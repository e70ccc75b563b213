"""View models: what each board page shows, read from the query layer, ready for a template.

This is the one module between storage/reports and the templates. Every count comes from
the status facts and rows of `storage.status_queries` / `storage.status` (what `/status` and
`duban status` show), classified by `reports.digest` (what the digest and the 台账 count),
and timeliness from the same facts' milestone states (`storage.timeliness`).
Fields that later issues fill (a row's `reason`, `flags`, `paused`, `signoff`, `target`,
`pace`; a unit's timeliness) are fields here: the templates show them when present.
PROVISIONAL parts are marked so; each is computed in one function that can be swapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.evidence import EvidenceStore
from reports.digest import classify, compute_digest
from reports.facts import to_report_row
from reports.model import CATEGORIES, Category, Counts, Digest, ReportRow
from reports.source import read_report_input
from storage.board_queries import task_extensions
from storage.plans import current_plan, task_by_id
from storage.progress import entries_for
from storage.records import EntryRecord, Light, StatusRow, TaskRecord
from storage.status import StatusRules
from storage.status_queries import status_read
from storage.timeliness import (
    MilestoneTimeliness,
    UnitTimeliness,
    facts_timeliness,
    unit_timeliness,
)
from vocabulary import (
    AWAITING_NAME,
    LIGHT_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
    WAITING_NAME,
    cn_date,
    event_words,
    pace_words,
    progress_words,
    reason_words,
    silence_words,
)

LIGHTS: tuple[Light, ...] = ("red", "yellow", "green", "done")
# Words only (LIGHT_NAMES): a wall screen or an office PC may have no colour-emoji font; the
# page draws the coloured dot itself.
# The vocabulary's words, looked up by the plain strings the rows carry.
STATUS_WORDS: dict[str, str] = dict(STATUS_NAMES.items())
ROLE_WORDS: dict[str, str] = dict(ROLE_NAMES.items())
EXTENSION_STATES = {"pending": "待审批", "approved": "已同意", "rejected": "未同意"}
FILE_KINDS = {
    "photo": "图片",
    "image": "图片",
    "document": "文件",
    "video": "视频",
    "voice": "语音",
}
KIND_LABELS = {"deadline": "节点", "period": "阶段", "ongoing": "持续"}
URGENCY: dict[Light, int] = {light: n for n, light in enumerate(LIGHTS)}
LIST_CAP = 30
CHANGE_DAYS = 7


@dataclass(frozen=True, slots=True)
class RowView:
    """One (task, unit) row as the unit page and the bureau lists show it."""

    task: str
    unit: str
    title: str
    role: str
    light: Light
    light_label: str
    category: Category
    reason: str
    status_label: str | None
    note: str | None
    note_day: str | None
    next_due: str | None
    next_action: str | None
    entries: int
    # Filled by later issues (11: flags such as 未报, paused units, sign-off; 14: targets).
    flags: tuple[str, ...] = ()
    paused: bool = False
    signoff: str | None = None
    pause: str | None = None
    target: str | None = None
    pace: str | None = None


@dataclass(frozen=True, slots=True)
class TimelinessView:
    """A unit's deadline milestones so far: on time, late, not reported (PROVISIONAL)."""

    on_time: int
    late: int
    not_reported: int

    @property
    def due(self) -> int:
        """Return how many were due or done."""
        return self.on_time + self.late + self.not_reported


@dataclass(frozen=True, slots=True)
class UnitTile:
    """A unit's tile on the bureau page, and the head of its own page."""

    unit: str
    rows: int
    lights: dict[Light, int]
    counts: Counts
    timeliness: TimelinessView
    worst: Light


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """An overdue or blocked item, listed first on the bureau page."""

    kind: str  # "overdue" | "blocked"
    task: str
    unit: str
    title: str
    detail: str
    note: str | None


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """A row whose latest report came in during the last week."""

    task: str
    unit: str
    title: str
    status_label: str | None
    note: str | None
    day: str


@dataclass(frozen=True, slots=True)
class BureauView:
    """The whole bureau at one instant."""

    title: str
    as_of: str
    totals: Counts
    lights: dict[Light, int]
    tiles: tuple[UnitTile, ...]
    attention: tuple[AttentionItem, ...]
    attention_more: int
    changes: tuple[ChangeItem, ...]
    changes_total: int
    done_this_week: tuple[ChangeItem, ...]
    pending_extensions: tuple[str, ...]
    due_soon: tuple[AttentionItem, ...]
    silent_units: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnitView:
    """One unit's page: its tile and its rows as in /status."""

    title: str
    as_of: str
    tile: UnitTile
    rows: tuple[RowView, ...]


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """A file attached to an entry; `available` when the server holds it."""

    id: int
    kind: str
    label: str
    available: bool


@dataclass(frozen=True, slots=True)
class EntryView:
    """One progress entry: who, when, what, and its files."""

    at: str
    reporter: str
    status_label: str
    note: str | None
    percent: int | None
    proposed: str | None
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True, slots=True)
class MilestoneView:
    """A milestone of the task for one unit, with its state."""

    kind: str
    action: str
    when: str
    state: str


@dataclass(frozen=True, slots=True)
class ExtensionView:
    """An extension request and its decision."""

    requested: str
    change: str
    reason: str | None
    state: str
    decided: str | None


@dataclass(frozen=True, slots=True)
class SignoffStep:
    """One step towards closing the item (PROVISIONAL: see `signoff_steps`)."""

    day: str
    who: str
    what: str


@dataclass(frozen=True, slots=True)
class TaskUnitView:
    """A task as one owning unit carries it."""

    unit: str
    role: str
    row: RowView
    milestones: tuple[MilestoneView, ...]
    entries: tuple[EntryView, ...]
    extensions: tuple[ExtensionView, ...]
    signoff: tuple[SignoffStep, ...]
    notice_available: bool


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task's page: its text, and per visible unit its milestones and history."""

    id: str
    title: str
    chapter: str
    body: str
    deadline_text: str
    owners: str
    as_of: str
    units: tuple[TaskUnitView, ...] = field(default=())


def day_text(day: date, today: date) -> str:
    """Return 6月30日, or 2023年1月20日 outside the current year."""
    return cn_date(day, today.year)


def instant_text(at: datetime, tz: ZoneInfo) -> str:
    """Return an instant as 6月30日 14:05 in the office's zone."""
    local = at.astimezone(tz)
    return f"{cn_date(local.date())} {local:%H:%M}"


def as_of_text(as_of: datetime, tz: ZoneInfo) -> str:
    """Return the page's "as of" line: 截至2022年7月4日（周一）09:00."""
    local = as_of.astimezone(tz)
    return f"截至{local.year}年{cn_date(local.date(), weekday=True)} {local:%H:%M}"


def reason_text(row: StatusRow, today: date) -> str:
    """Return why a row has its light, in the words /status uses."""
    if row.light == "done":
        return LIGHT_NAMES["done"]
    if row.reason is not None:
        return reason_words(row.reason.kind, row.reason.due, row.reason.note, today.year)
    if row.next_due is None:
        return f"{WAITING_NAME}（{'、'.join(row.waiting)}）" if row.waiting else "持续推进"
    first = row.open_milestones[0] if row.open_milestones else None
    node = f"{first.action} " if first is not None and first.action else ""
    return f"下一节点 {node}{day_text(row.next_due, today)}"


def _flags(row: StatusRow) -> tuple[str, ...]:
    if "unreported" in row.flags and row.silent_days is not None:
        return (silence_words(row.silent_days),)
    return ()


def _pause_text(row: StatusRow, today: date) -> str | None:
    if row.paused is None:
        return None
    why = f"，{row.paused.reason}" if row.paused.reason else ""
    return f"暂停至{day_text(row.paused.until, today)}{why}"


def row_view(row: StatusRow, category: Category, today: date, tz: ZoneInfo) -> RowView:
    """Return one status row as the pages show it."""
    first = row.open_milestones[0] if row.open_milestones else None
    return RowView(
        task=row.task_id,
        unit=row.unit,
        title=row.title,
        role=ROLE_WORDS.get(row.role, row.role),
        light=row.light,
        light_label=LIGHT_NAMES[row.light],
        category=category,
        reason=reason_text(row, today),
        status_label=STATUS_WORDS.get(row.status) if row.status else None,
        note=row.note,
        note_day=day_text(row.updated_at.astimezone(tz).date(), today) if row.updated_at else None,
        next_due=day_text(row.next_due, today) if row.next_due else None,
        next_action=first.action if first is not None else None,
        entries=row.entries,
        flags=_flags(row),
        paused=row.paused is not None,
        signoff=AWAITING_NAME if row.signoff == "awaiting" else None,
        pause=_pause_text(row, today),
        target=(
            progress_words([(p.what, p.unit, p.target, p.value) for p in row.progress])
            if row.progress
            else None
        ),
        pace=pace_words(row.pace.expected) if row.pace else None,
    )


def _timeliness(found: UnitTimeliness | None) -> TimelinessView:
    if found is None:
        return TimelinessView(0, 0, 0)
    return TimelinessView(found.on_time, found.late, found.not_reported)


def _tile(
    unit: str, rows: Sequence[StatusRow | ReportRow], counts: Counts, timely: UnitTimeliness | None
) -> UnitTile:
    lights: dict[Light, int] = dict.fromkeys(LIGHTS, 0)
    for row in rows:
        lights[row.light] += 1
    worst: Light = next((light for light in LIGHTS if lights[light]), "green")
    return UnitTile(unit, len(rows), lights, counts, _timeliness(timely), worst)


def _due_detail(due: date, action: str | None, today: date) -> str:
    node = f"{action} " if action else ""
    return f"{node}{day_text(due, today)}到期 · 逾期{(today - due).days}天"


async def bureau_view(
    session: AsyncSession, as_of: datetime, tz: ZoneInfo, rules: StatusRules | None = None
) -> BureauView:
    """Read the whole bureau as of an instant, in one session (timeliness comes with the
    rows: the same milestone states)."""
    source = await read_report_input(session, as_of, for_board=True, rules=rules, tz=tz)
    plan = await current_plan(session)
    return compose_bureau(
        plan.title if plan else "",
        source.rows,
        compute_digest(source.rows, source.extensions, as_of, source.units, tz),
        source.timeliness,
        as_of,
        tz,
    )


def compose_bureau(
    title: str,
    status: Sequence[ReportRow],
    digest: Digest,
    timely: Sequence[UnitTimeliness],
    as_of: datetime,
    tz: ZoneInfo,
) -> BureauView:
    """Return the bureau page from rows, the digest and timeliness read at one instant."""
    today = as_of.astimezone(tz).date()
    by_unit: dict[str, list[ReportRow]] = {line.unit: [] for line in digest.units}
    for row in status:
        by_unit.setdefault(row.unit, []).append(row)
    timely_by = {t.unit: t for t in timely}
    tiles = tuple(
        _tile(line.unit, by_unit.get(line.unit, []), line.counts, timely_by.get(line.unit))
        for line in digest.units
    )
    attention = [
        AttentionItem(
            "overdue", i.task, i.unit, i.title, _due_detail(i.due, i.action, today),
            i.blocked_note,
        )
        for i in digest.overdue
    ] + [
        AttentionItem(
            "blocked", b.task, b.unit, b.title,
            f"{day_text(b.at.astimezone(tz).date(), today)}报告" if b.at else "", b.note,
        )
        for b in digest.blocked
    ]  # fmt: skip
    week_ago = as_of - timedelta(days=CHANGE_DAYS)
    changed = [(r, r.updated_at) for r in status if r.updated_at and r.updated_at > week_ago]
    changed.sort(key=lambda pair: pair[1], reverse=True)
    changes = tuple(_change(r, at, today, tz) for r, at in changed[:LIST_CAP])
    lights: dict[Light, int] = dict.fromkeys(LIGHTS, 0)
    for row in status:
        lights[row.light] += 1
    return BureauView(
        title=title,
        as_of=as_of_text(as_of, tz),
        totals=digest.totals,
        lights=lights,
        tiles=tiles,
        attention=tuple(attention[:LIST_CAP]),
        attention_more=max(0, len(attention) - LIST_CAP),
        changes=changes,
        changes_total=len(changed),
        done_this_week=tuple(
            ChangeItem(
                d.task,
                d.unit,
                d.title,
                STATUS_NAMES["done"],
                None,
                day_text(d.at.astimezone(tz).date(), today),
            )
            for d in digest.done_this_week[:LIST_CAP]
        ),
        pending_extensions=tuple(
            f"{e.unit} {e.task} → {day_text(e.date, today)}" for e in digest.extensions[:LIST_CAP]
        ),
        due_soon=tuple(
            AttentionItem(
                "due_soon",
                i.task,
                i.unit,
                i.title,
                f"{i.action + ' ' if i.action else ''}{cn_date(i.due, today.year, weekday=True)}",
                None,
            )
            for i in digest.due_soon[:LIST_CAP]
        ),
        silent_units=digest.silent_units,
    )


def _change(row: ReportRow, at: datetime, today: date, tz: ZoneInfo) -> ChangeItem:
    return ChangeItem(
        row.task,
        row.unit,
        row.title,
        STATUS_WORDS.get(row.status) if row.status else None,
        row.note,
        day_text(at.astimezone(tz).date(), today),
    )


async def unit_view(
    session: AsyncSession,
    unit: str,
    as_of: datetime,
    tz: ZoneInfo,
    rules: StatusRules | None = None,
) -> UnitView | None:
    """Read one unit's rows as of an instant; None if the plan has no such unit."""
    plan = await current_plan(session)
    if plan is None or unit not in plan.units:
        return None
    today = as_of.astimezone(tz).date()
    # One read: the rows and the unit's timeliness from the same milestone states.
    facts, rows = await status_read(session, as_of, unit, tz, rules=rules)
    categories = [classify(to_report_row(r, None)) for r in rows]
    counts = Counts(rows=len(rows), **{c: categories.count(c) for c in CATEGORIES})
    timely = unit_timeliness(facts_timeliness(facts, today, tz), [unit])
    views = [row_view(r, c, today, tz) for r, c in zip(rows, categories, strict=True)]
    # The most urgent first (UX.md), plan order within each light.
    views.sort(key=lambda v: URGENCY[v.light])
    return UnitView(
        title=plan.title,
        as_of=as_of_text(as_of, tz),
        tile=_tile(unit, rows, counts, timely[0] if timely else None),
        rows=tuple(views),
    )


def signoff_steps(entries: Sequence[EntryRecord], tz: ZoneInfo, today: date) -> list[SignoffStep]:
    """Return the steps that closed an item (PROVISIONAL until issue 11's sign-off).

    Today's ledger has no sign-off: an item counts as closed when the unit reports 已完成,
    so the steps are the unit's done reports; leadership's review is not recorded yet.
    """
    return [
        SignoffStep(
            day_text(e.created_at.astimezone(tz).date(), today),
            e.reporter,
            "科室报告已完成" + (f"：{e.note}" if e.note else ""),
        )
        for e in entries
        if e.status == "done"
    ]


def _milestones(
    task: TaskRecord, timely: Sequence[MilestoneTimeliness], today: date
) -> tuple[MilestoneView, ...]:
    by_id = {t.milestone_id: t for t in timely}
    views = []
    for m in task.milestones:
        action = m.action or task.title
        if m.kind == "ongoing":
            views.append(MilestoneView(KIND_LABELS["ongoing"], action, "持续推进", "持续推进"))
            continue
        if m.kind == "period" and m.start and m.end:
            when = f"{day_text(m.start, today)}—{day_text(m.end, today)}"
            views.append(MilestoneView(KIND_LABELS["period"], action, when, "按月报告进展"))
            continue
        if m.kind == "event":
            # Its due date runs from its event (the rows say 待触发 until it is reported).
            when = event_words(m.event, m.offset, m.offset_unit)
            views.append(MilestoneView(KIND_LABELS["deadline"], action, when, ""))
            continue
        found = by_id.get(m.id)
        when = day_text(m.end, today) if m.end else ""
        if found is None:
            views.append(MilestoneView(KIND_LABELS["deadline"], action, when, ""))
            continue
        if found.due != found.planned_due:
            when += f"（延至{day_text(found.due, today)}）"
        views.append(MilestoneView(KIND_LABELS["deadline"], action, when, _state(found, today)))
    return tuple(views)


def _state(found: MilestoneTimeliness, today: date) -> str:
    if found.done_on is not None:
        late = "（逾期完成）" if found.kind == "late" else ""
        return f"{day_text(found.done_on, today)}完成{late}"
    if found.due < today:
        days = (today - found.due).days
        return f"逾期{days}天" + ("，未报进展" if not found.reported else "")
    days = (found.due - today).days
    return "今天到期" if days == 0 else f"还有{days}天"


def _entry(e: EntryRecord, evidence: EvidenceStore | None, tz: ZoneInfo, today: date) -> EntryView:
    return EntryView(
        at=instant_text(e.created_at, tz),
        reporter=e.reporter,
        status_label=STATUS_WORDS.get(e.status, e.status),
        note=e.note,
        percent=e.percent,
        proposed=day_text(e.proposed_date, today) if e.proposed_date else None,
        evidence=tuple(
            EvidenceView(
                f.id,
                f.kind,
                f.file_name or f"附件{n}（{FILE_KINDS.get(f.kind, '文件')}）",
                evidence is not None and evidence.has(f.sha256),
            )
            for n, f in enumerate(e.evidence, start=1)
        ),
    )


async def task_view(
    session: AsyncSession,
    task_id: str,
    visible: Sequence[str] | None,
    as_of: datetime,
    tz: ZoneInfo,
    evidence: EvidenceStore | None,
    rules: StatusRules | None = None,
) -> TaskView:
    """Read a task's page for the units in `visible` (None: every owner); raise UnknownTask."""
    task = await task_by_id(session, task_id)
    today = as_of.astimezone(tz).date()
    units = [o for o in task.owners if visible is None or o.unit in visible]
    # One read for every owner: the rows and timeliness from the same milestone states.
    facts, owned = await status_read(session, as_of, None, tz, rules=rules, task_row=task.row)
    rows = {row.unit: row for row in owned}
    timely = facts_timeliness(facts, today, tz)
    extensions = await task_extensions(session, task.row, as_of)
    parts = []
    for owner in units:
        row = rows.get(owner.unit)
        if row is None:
            continue
        entries = await entries_for(session, task.id, owner.unit, as_of)
        report_row: ReportRow = to_report_row(row, task)
        parts.append(
            TaskUnitView(
                unit=owner.unit,
                role=ROLE_WORDS.get(owner.role, owner.role),
                row=row_view(row, classify(report_row), today, tz),
                milestones=_milestones(task, [t for t in timely if t.unit == owner.unit], today),
                entries=tuple(_entry(e, evidence, tz, today) for e in reversed(entries)),
                extensions=tuple(
                    ExtensionView(
                        instant_text(x.requested_at, tz),
                        (f"{day_text(x.old_date, today)} → " if x.old_date else "→ ")
                        + day_text(x.new_date, today),
                        x.reason,
                        EXTENSION_STATES.get(x.state, x.state),
                        f"{x.decided_by or ''} {instant_text(x.decided_at, tz)}".strip()
                        if x.decided_at
                        else None,
                    )
                    for x in extensions
                    if x.unit == owner.unit
                ),
                signoff=tuple(signoff_steps(entries, tz, today)),
                notice_available=row.light != "done",
            )
        )
    return TaskView(
        id=task.id,
        title=task.title,
        chapter=task.chapter,
        body=task.body,
        deadline_text=task.deadline_text,
        owners="、".join(f"{o.unit}（{ROLE_WORDS.get(o.role, o.role)}）" for o in task.owners),
        as_of=as_of_text(as_of, tz),
        units=tuple(parts),
    )
