"""Digest, JSON and ledger on a seeded history, on SQLite and PostgreSQL: they agree."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import openpyxl

from reports.digest import compute_digest, digest_from_facts, digest_json
from reports.ledger_xlsx import write_ledger
from reports.model import Counts
from reports.render import render_digest
from reports.source import build_digest, read_digest_facts, read_report_input
from reports.xlsx_sheets import CATEGORY_ZH, ENTRIES_SHEET, LEDGER_SHEET, STATUS_ZH
from storage.database import Database
from storage.report_queries import LedgerEntry, entries_page
from storage.status_queries import status_rows
from tests.reports.seed import (
    HISTORY,
    NEW_DATE,
    TOTALS_WEEK27,
    TOTALS_WEEK28,
    WEEK27,
    WEEK28,
    seed_history,
)
from vocabulary import DEFAULT_TZ


def _tuple(c: Counts) -> tuple[int, ...]:
    return (c.rows, c.done, c.overdue, c.blocked, c.in_progress, c.not_started)


async def _ledger_sheets(db: Database, **window: date) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    await write_ledger(db, buffer, WEEK27, **window)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer, read_only=True)


async def test_each_row_counts_once_in_designs_order(ledger: Database) -> None:
    await seed_history(ledger)
    digest = await build_digest(ledger, WEEK27)
    assert _tuple(digest.totals) == TOTALS_WEEK27
    assert len(digest.categories) == 66
    assert sum(u.counts.rows for u in digest.units) == 66
    for category in ("done", "overdue", "blocked", "in_progress", "not_started"):
        assert sum(u.counts.of(category) for u in digest.units) == digest.totals.of(category)


async def test_counts_as_of_a_date_ignore_later_entries(ledger: Database) -> None:
    await seed_history(ledger)
    week27 = await build_digest(ledger, WEEK27)
    week28 = await build_digest(ledger, WEEK28)
    assert _tuple(week27.totals) == TOTALS_WEEK27
    assert _tuple(week28.totals) == TOTALS_WEEK28
    # The extension was approved after the week-27 digest: pending then, gone a week later.
    assert [(e.task, e.unit, e.date, e.state) for e in week27.extensions] == [
        ("2.3", "社救科", NEW_DATE, "pending")
    ]
    assert week28.extensions == ()
    assert [(i.task, i.due) for i in week27.overdue] == [
        ("2.1", date(2022, 1, 31)),
        ("2.3", date(2022, 6, 30)),
    ]
    assert [(i.task, i.due) for i in week28.due_soon] == [("2.3", NEW_DATE)]
    assert [(b.task, b.note) for b in week27.blocked] == [("3.2", "日照中心选址未定，需协调街道")]
    assert week27.categories[("2.1", "社救科")] == "overdue"  # though its latest is blocked
    assert week27.silent_units == ("救助管理站", "殡葬科", "婚姻科")
    assert [d.task for d in week27.done_this_week] == ["7.3"]
    assert [d.task for d in week28.done_this_week] == ["2.1", "3.2"]


async def test_digest_json_text_and_ledger_agree(ledger: Database) -> None:
    await seed_history(ledger)
    digest = await build_digest(ledger, WEEK27)
    data = digest_json(digest)
    book = await _ledger_sheets(ledger)
    rows = list(book[LEDGER_SHEET].iter_rows(min_row=2, values_only=True))
    buffer = io.BytesIO()
    await write_ledger(ledger, buffer, WEEK27)
    full = openpyxl.load_workbook(buffer)[LEDGER_SHEET]
    assert (full.freeze_panes, full.auto_filter.ref) == ("A2", "A1:M67")
    assert full.page_setup.orientation == "landscape"

    async with ledger.session() as session:
        status = await status_rows(session, WEEK27)
    assert [(r[1], r[3]) for r in rows] == [(s.task_id, s.unit) for s in status]
    assert {(r[1], r[3]) for r in rows} == set(digest.categories)

    by_status = Counter(r[8] for r in rows)
    for category in ("done", "overdue", "blocked", "in_progress", "not_started"):
        assert by_status[CATEGORY_ZH[category]] == data["totals"][category]
    assert data["totals"]["rows"] == len(rows) == 66
    for line in data["units"]:
        mine = Counter(r[8] for r in rows if r[3] == line["unit"])
        assert mine[CATEGORY_ZH["overdue"]] == line["overdue"]
        assert sum(mine.values()) == line["rows"]

    text = render_digest(digest)
    t = data["totals"]
    assert (
        f"全局 66 项：✅ {t['done']} · 🔴 逾期 {t['overdue']} · ⚠️ 困难 {t['blocked']} · "
        f"🔄 进行中 {t['in_progress']} · ⬜ 未启动 {t['not_started']}"
    ) in text
    assert "🔴 社救科 2.3 创新社会救助方式 · 完成协议签署 6月30日 · 逾期4天" in text
    assert '🔴 社救科 2.1 构建综合救助格局 · 印发文件 1月31日 · 逾期154天 · ⚠️ "资金未到位"' in text
    assert "📅 社救科 2.3 → 7月15日" in text
    assert data["week"] == "2022-W27"


async def test_ledger_entries_sheet_holds_entries_up_to_as_of_and_in_range(
    ledger: Database,
) -> None:
    await seed_history(ledger)
    book = await _ledger_sheets(ledger)
    entries = list(book[ENTRIES_SHEET].iter_rows(min_row=2, values_only=True))
    # In the order recorded (the seed's order), the extension entry last; none after as_of.
    before = [(task, STATUS_ZH[status]) for task, _, status, _, at in HISTORY if at <= WEEK27]
    assert [(e[1], e[3]) for e in entries] == [*before, ("2.3", "申请延期")]

    june = await _ledger_sheets(ledger, date_from=date(2022, 6, 1), date_to=date(2022, 6, 30))
    in_june = list(june[ENTRIES_SHEET].iter_rows(min_row=2, values_only=True))
    assert [(e[1], e[3]) for e in in_june] == [
        ("2.1", "遇到困难"),
        ("2.3", "进行中"),
        ("3.2", "遇到困难"),
        ("4.1", "进行中"),
        ("2.3", "申请延期"),
    ]
    assert len(list(june[LEDGER_SHEET].iter_rows(min_row=2))) == 66


async def test_entry_pages_cover_every_entry_once(ledger: Database) -> None:
    await seed_history(ledger)
    paged: list[LedgerEntry] = []
    after = 0
    while True:
        async with ledger.session() as session:
            after, page = await entries_page(session, WEEK28, after_id=after, limit=2)
        if not page:
            break
        assert len(page) <= 2
        paged.extend(page)
    async with ledger.session() as session:
        _, whole = await entries_page(session, WEEK28, limit=1000)
    assert paged == whole
    assert len(whole) == len(HISTORY) + 1


async def test_the_digests_own_read_gives_the_digest_the_full_report_read_gives(
    ledger: Database,
) -> None:
    # The digest reads no 台账 words and no entry counts, and makes a full row only of the
    # pairs it may list: what it shows must not change.
    await seed_history(ledger)
    for as_of in (WEEK27, WEEK28):
        async with ledger.session(readonly=True) as session:
            full = await read_report_input(session, as_of)
            facts = await read_digest_facts(session, as_of)
        digests = [
            compute_digest(
                full.rows, full.extensions, as_of, full.units, timeliness=full.timeliness
            ),
            digest_from_facts(facts, as_of, tz=DEFAULT_TZ),
        ]
        assert render_digest(digests[0]) == render_digest(digests[1])
        assert digest_json(digests[0]) == digest_json(digests[1])
