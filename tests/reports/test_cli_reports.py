"""`duban digest` and `duban export` from the command line, on a seeded SQLite ledger."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from cli.main import main
from plan_data import default_plan_path
from reports.xlsx_sheets import ENTRIES_SHEET, LEDGER_SHEET
from storage.bootstrap import open_ledger
from tests.conftest import LEDGER_NOW
from tests.reports.seed import TOTALS_WEEK27, seed_history

CLOCK = "2022-07-06T10:00"  # a Wednesday of week 27; the digest is as of Monday 09:00


@pytest.fixture
async def seeded_url(sqlite_url: str) -> str:
    db = await open_ledger(sqlite_url, default_plan_path(), LEDGER_NOW)
    try:
        await seed_history(db)
    finally:
        await db.close()
    return sqlite_url


def _run(*argv: str) -> int:
    return main(list(argv))


def test_digest_json_is_as_of_the_weeks_first_workday(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("--db", seeded_url, "--clock", CLOCK, "digest", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["week"] == "2022-W27"
    assert data["as_of"] == "2022-07-04T09:00:00+08:00"
    totals = data["totals"]
    assert tuple(totals[k] for k in totals) == TOTALS_WEEK27


def test_digest_text_and_chart(
    seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "chart.png"
    code = _run("--db", seeded_url, "digest", "--week-of", "2022-07-08", "--chart", str(chart))
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("【督办周报】第27周 · 截至7月4日（周一）")
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_export_writes_both_sheets(
    seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "台账.xlsx"
    code = _run(
        "--db", seeded_url, "--clock", CLOCK, "export", "--xlsx", str(target),
        "--from", "2022-06-01", "--to", "2022-06-30",
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == f"wrote {target}: 66 rows, 5 entries"
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [LEDGER_SHEET, ENTRIES_SHEET]


@pytest.mark.parametrize(
    "argv",
    [
        ("digest", "--week-of", "next week"),
        ("export", "--xlsx", "out.xlsx", "--from", "2022-02-30"),
        ("export", "--xlsx", "out.xlsx", "--from", "2022-07-01", "--to", "2022-06-01"),
        ("export", "--xlsx", "/no/such/folder/out.xlsx"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(
    sqlite_url: str, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("--db", sqlite_url, *argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "Traceback" not in captured.err
