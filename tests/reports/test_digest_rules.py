"""The digest's counting and listing rules, on hand-made rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from reports.digest import (
    classify,
    compute_digest,
    digest_instant,
    digest_json,
    iso_week,
    week_first_workday,
)
from reports.model import OpenMilestone
from reports.render import render_digest
from tests.reports.rows import AS_OF, EXTENSIONS, sample_rows


def test_each_row_counts_once_in_designs_order() -> None:
    digest = compute_digest(sample_rows(), EXTENSIONS, AS_OF)
    totals = digest.totals
    assert (totals.done, totals.overdue, totals.blocked) == (2, 2, 1)
    assert (totals.in_progress, totals.not_started) == (1, 1)
    assert totals.rows == 7 == sum(
        [totals.done, totals.overdue, totals.blocked, totals.in_progress, totals.not_started]
    )
    # Overdue wins over blocked: 2.2 is both.
    assert digest.categories[("2.2", "社救科")] == "overdue"
    assert sum(u.counts.rows for u in digest.units) == totals.rows


def test_classify_uses_entries_to_tell_in_progress_from_not_started() -> None:
    rows = {(r.task, r.unit): r for r in sample_rows()}
    assert classify(rows[("4.1", "社区科")]) == "in_progress"
    assert classify(rows[("6.3", "殡葬科")]) == "not_started"


def test_lists_overdue_due_soon_blocked_silent_and_done_this_week() -> None:
    digest = compute_digest(sample_rows(), EXTENSIONS, AS_OF)
    assert [(i.task, i.due) for i in digest.overdue] == [
        ("2.1", date(2022, 1, 31)),
        ("2.2", date(2022, 6, 30)),
    ]
    assert [(i.task, i.due) for i in digest.due_soon] == [
        ("6.3", date(2022, 7, 4)),
        ("3.2", date(2022, 7, 12)),
    ]
    assert [(b.task, b.note) for b in digest.blocked] == [("3.2", "日照中心选址未定，需协调街道")]
    assert digest.silent_units == ("殡葬科",)
    assert [d.task for d in digest.done_this_week] == ["7.3"]


def test_json_has_designs_shape() -> None:
    data = digest_json(compute_digest(sample_rows(), EXTENSIONS, AS_OF))
    assert data["week"] == "2022-W27"
    assert data["as_of"] == "2022-07-04T09:00:00+08:00"
    assert set(data) == {
        "week", "as_of", "totals", "units", "overdue", "due_soon", "blocked",
        "extensions", "silent_units", "done_this_week", "unreported", "awaiting",
        "progress", "behind_pace",
    }
    assert set(data["totals"]) == {
        "rows", "done", "overdue", "blocked", "in_progress", "not_started"
    }
    assert data["units"][0] == {
        "unit": "社救科", "rows": 2, "done": 0, "overdue": 2, "blocked": 0,
        "in_progress": 0, "not_started": 0, "unreported": 0, "awaiting": 0,
        "timeliness": {"on_time": 0, "late": 0, "not_reported": 0},
    }
    assert data["overdue"][0] == {
        "task": "2.1", "unit": "社救科", "due": "2022-01-31", "action": "印发文件"
    }
    assert data["extensions"] == [
        {"task": "6.3", "unit": "殡葬科", "date": "2023-01-20", "state": "pending"}
    ]


def test_text_reads_like_ux_weekly_digest() -> None:
    text = render_digest(compute_digest(sample_rows(), EXTENSIONS, AS_OF))
    lines = text.splitlines()
    assert lines[0] == "【督办周报】第27周 · 截至7月4日（周一）"
    assert lines[1] == "全局 7 项：✅ 2 · 🔴 逾期 2 · ⚠️ 困难 1 · 🔄 进行中 1 · ⬜ 未启动 1"
    assert "社救科 2项：🔴 逾期 2" in lines  # a unit's line leaves out empty categories
    assert "社会事务科 1项：⚠️ 困难 1" in lines
    assert "🔴 社救科 2.1 构建综合救助格局 · 印发文件 1月31日 · 逾期154天" in lines
    assert '⚠️ 社会事务科 3.2 "日照中心选址未定，需协调街道"（7月1日）' in lines
    assert "📅 殡葬科 6.3 → 2023年1月20日" in lines
    assert "🟡 殡葬科 6.3 推进公墓建设 · 完成验收 7月4日（周一） · 今天到期" in lines
    assert "两周未更新：殡葬科" in lines
    assert "本周完成：综合办 7.3 持续加强民政基础性工作" in lines
    assert "!" not in text
    assert "！" not in text


def test_empty_sections_say_none() -> None:
    text = render_digest(compute_digest([], [], AS_OF))
    assert "逾期：无" in text
    assert "未来两周到期：无" in text
    assert "两周未更新：无" in text


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2022, 7, 6), date(2022, 7, 4)),  # an ordinary week starts on Monday
        (date(2022, 10, 5), date(2022, 10, 8)),  # National Day week: Saturday is a makeup day
        (date(2022, 2, 2), date(2022, 1, 31)),  # Spring Festival: no workday at all, Monday
        (date(2022, 6, 3), date(2022, 5, 30)),  # Dragon Boat Friday off; Monday still works
        (date(2022, 4, 5), date(2022, 4, 6)),  # Qingming: Mon 4-4 and Tue 4-5 off
        (date(2035, 3, 7), date(2035, 3, 5)),  # beyond the calendar's data: Monday
    ],
)
def test_week_first_workday_follows_official_calendar(day: date, first: date) -> None:
    assert week_first_workday(day) == first


def test_digest_instant_is_nine_in_shanghai_and_labels_iso_week() -> None:
    instant = digest_instant(date(2022, 7, 8))
    assert instant.isoformat() == "2022-07-04T09:00:00+08:00"
    assert iso_week(instant.date()) == "2022-W27"


def test_first_workday_can_be_given_by_the_caller() -> None:
    assert week_first_workday(date(2022, 7, 6), lambda d: d.weekday() == 2) == date(2022, 7, 6)


def test_a_due_soon_item_wears_its_rows_light_as_status_shows_it() -> None:
    """Listed as due within two weeks is not a warning by itself: 🟡 only when /status says so."""
    rows = sample_rows()
    later = replace(
        rows[5],  # 4.1 社区科, green: a milestone ten days out is outside the warning window
        open_milestones=(OpenMilestone("完成换届", date(2022, 7, 14)),),
        next_due=date(2022, 7, 14),
    )
    text = render_digest(compute_digest([*rows[:5], later, rows[6]], EXTENSIONS, AS_OF))
    listed = text.split("未来两周到期\n", 1)[1].split("\n两周未更新", 1)[0].splitlines()
    assert [line.split(" ", 3)[:3] for line in listed] == [
        ["🟡", "殡葬科", "6.3"],  # due today: within the warning window
        ["🟡", "社会事务科", "3.2"],
        ["🟢", "社区科", "4.1"],
    ]
