"""Every number the board shows comes from the status layer and agrees with the digest and 台账."""

from __future__ import annotations

import io

import openpyxl

from reports.digest import compute_digest, digest_json
from reports.ledger_xlsx import write_ledger
from reports.source import read_report_input
from reports.xlsx_sheets import CATEGORY_ZH, LEDGER_SHEET
from storage.database import Database
from storage.status_queries import status_rows
from storage.timeliness import unit_timeliness
from storage.timeliness_queries import milestone_timeliness
from tests.reports.seed import seed_history
from tests.web.conftest import NOW, SH
from web.views import bureau_view, task_view, unit_view


async def test_bureau_tiles_agree_with_status_digest_and_ledger(ledger: Database) -> None:
    await seed_history(ledger)
    async with ledger.session() as session:
        view = await bureau_view(session, NOW, SH)
        rows = await status_rows(session, NOW)
        source = await read_report_input(session, NOW)
        timely = unit_timeliness(await milestone_timeliness(session, NOW), source.units)
    digest = digest_json(compute_digest(source.rows, source.extensions, NOW, source.units, SH))
    buffer = io.BytesIO()
    await write_ledger(ledger, buffer, NOW)
    buffer.seek(0)
    sheet = list(
        openpyxl.load_workbook(buffer)[LEDGER_SHEET].iter_rows(min_row=2, values_only=True)
    )

    assert view.totals.rows == len(rows) == digest["totals"]["rows"] == len(sheet) == 66
    assert view.lights == {light: sum(r.light == light for r in rows) for light in view.lights}
    for category in ("done", "overdue", "blocked", "in_progress", "not_started"):
        assert view.totals.of(category) == digest["totals"][category]
        assert sum(1 for r in sheet if r[8] == CATEGORY_ZH[category]) == digest["totals"][category]
    assert [t.unit for t in view.tiles] == [u["unit"] for u in digest["units"]]
    for tile, line, counts in zip(view.tiles, digest["units"], timely, strict=True):
        mine = [r for r in rows if r.unit == tile.unit]
        assert tile.rows == len(mine) == line["rows"]
        assert tile.lights == {light: sum(r.light == light for r in mine) for light in tile.lights}
        assert tile.counts.overdue == line["overdue"] == tile.lights["red"]
        assert tile.counts.blocked == line["blocked"]
        assert (tile.timeliness.on_time, tile.timeliness.late, tile.timeliness.not_reported) == (
            counts.on_time, counts.late, counts.not_reported,
        )  # fmt: skip
    overdue = [(a.task, a.unit) for a in view.attention if a.kind == "overdue"]
    assert overdue == [(o["task"], o["unit"]) for o in digest["overdue"]]
    assert [(a.task, a.unit) for a in view.attention if a.kind == "blocked"] == [
        (b["task"], b["unit"]) for b in digest["blocked"]
    ]
    assert view.attention[0].kind == "overdue"  # overdue and blocked first, overdue leading


async def test_unit_page_rows_are_the_status_rows(ledger: Database) -> None:
    await seed_history(ledger)
    async with ledger.session() as session:
        view = await unit_view(session, "社救科", NOW, SH)
        rows = await status_rows(session, NOW, "社救科")
        assert await unit_view(session, "外星科", NOW, SH) is None
    assert view is not None
    assert sorted((r.task, r.light) for r in view.rows) == sorted(
        (r.task_id, r.light) for r in rows
    )
    order = ["red", "yellow", "green", "done"]
    assert [order.index(r.light) for r in view.rows] == sorted(order.index(r.light) for r in rows)
    assert [r.task for r in view.rows][:2] == ["2.1", "2.3"]  # overdue first
    first = next(r for r in view.rows if r.task == "2.3")
    assert first.reason == "逾期 6月30日"
    assert first.note == "街道调整导致协议需重新审核"
    assert first.next_due == "6月30日"
    assert first.target is None  # 2.3 has no target (issue 14 fills targets and pace)


async def test_task_page_lists_every_entry_extension_and_milestone(ledger: Database) -> None:
    await seed_history(ledger)
    async with ledger.session() as session:
        view = await task_view(session, "2.3", None, NOW, SH, None)
        hidden = await task_view(session, "2.3", ["社区科"], NOW, SH, None)
    (part,) = view.units
    assert [e.note for e in part.entries] == ["街道调整导致协议需重新审核", "已完成3家机构洽谈"]
    assert part.entries[0].reporter == "王科长"
    assert [(x.change, x.state) for x in part.extensions] == [("6月30日 → 7月15日", "待审批")]
    assert (part.milestones[0].action, part.milestones[0].state) == ("完成协议签署", "逾期4天")
    assert hidden.units == ()
