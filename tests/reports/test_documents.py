"""The three documents on the seed plan with a sample ledger: headings, tables, 公文 dates."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.document import Document

from plan_data import default_plan_path
from reports.documents import (
    NothingToUrge,
    bulletin_document,
    half_period,
    month_period,
    notice_document,
    summary_document,
    week_period,
    year_period,
)
from reports.documents.periods import cn_ordinal
from reports.templates.make_templates import notice as notice_template
from storage.bootstrap import open_ledger
from storage.database import Database
from tests.conftest import LEDGER_NOW
from tests.reports.seed import seed_history

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2022, 7, 4, 10, 0, tzinfo=SH)
UNITS = ["社救科", "社区科", "社会事务科", "救助管理站", "殡葬科", "婚姻科", "综合办"]


def _open(body: bytes) -> Document:
    return docx.Document(io.BytesIO(body))


def _styled(doc: Document, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == style]


def _text(doc: Document) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_periods_and_ordinals() -> None:
    assert week_period(date(2022, 6, 29)).label == "2022年第26周"
    assert month_period("2022-06").span == "2022年6月1日至2022年6月30日"
    assert half_period(2022, 2).first == date(2022, 7, 1)
    assert year_period(2022).last == date(2022, 12, 31)
    assert [cn_ordinal(n) for n in (1, 10, 12, 20, 29)] == ["一", "十", "十二", "二十", "二十九"]
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_period("June")


async def test_notice_for_an_overdue_item(ledger: Database) -> None:
    await seed_history(ledger)
    doc = _open(await notice_document(ledger, "2.1", "社救科", NOW, SH))
    assert _styled(doc, "Title") == ["督办通知单"]
    (table,) = doc.tables
    fields = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert list(fields) == [
        "编号",
        "督办事项",
        "责任科室",
        "原定时限",
        "办理情况",
        "督办要求",
        "反馈时限",
    ]
    assert fields["编号"] == "督办〔2022〕2.1-01-0704号"
    assert fields["督办事项"] == "2.1 构建综合救助格局（印发文件）"
    assert fields["责任科室"] == "社救科"
    assert fields["原定时限"] == "2022年1月31日"
    assert "已超过完成时限154天" in fields["办理情况"]
    assert "资金未到位" in fields["办理情况"]
    assert "对所反映的困难" in fields["督办要求"]  # its latest report says blocked
    assert fields["反馈时限"] == "2022年7月7日"  # three workdays after Monday
    assert [p.text for p in doc.paragraphs][-2:] == ["督查督办办公室", "2022年7月4日"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37
    assert "PAGE" in section.footer._element.xml


async def test_notice_urges_an_item_not_yet_due_and_refuses_a_done_one(ledger: Database) -> None:
    await seed_history(ledger)
    doc = _open(
        await notice_document(
            ledger, "2.3", "社救科", datetime(2022, 6, 23, 9, tzinfo=SH), SH,
            reply_by=date(2022, 6, 28), issuer="东丽区民政局办公室",
        )
    )  # fmt: skip
    fields = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert "将于2022年6月30日到期（还有7天）" in fields["督办要求"]
    assert fields["反馈时限"] == "2022年6月28日"
    assert doc.paragraphs[-2].text == "东丽区民政局办公室"
    with pytest.raises(NothingToUrge):
        await notice_document(ledger, "3.4", "社会事务科", NOW, SH)


async def test_bulletin_for_june(ledger: Database) -> None:
    await seed_history(ledger)
    doc = _open(await bulletin_document(ledger, month_period("2022-06"), NOW, SH))
    assert _styled(doc, "Title") == ["督查通报"]
    assert _styled(doc, "Heading 1") == [
        "一、总体情况", "二、各科室落实情况", "三、表扬", "四、督促", "五、工作要求",
    ]  # fmt: skip
    (table,) = doc.tables
    header, *rows = [[c.text for c in row.cells] for row in table.rows]
    assert header[:6] == ["科室", "应完成节点", "按时完成", "逾期完成", "逾期未完成", "未报进展"]
    assert [r[0] for r in rows] == UNITS
    assert rows[0] == ["社救科", "1", "0", "0", "1", "0", "0", "2"]  # 2.3 due 6-30, not done
    text = _text(doc)
    assert "2022年6月1日至2022年6月30日" in text
    assert "社救科：截至期末仍逾期：2.1 构建综合救助格局" in text
    assert "2.3 创新社会救助方式（完成协议签署，2022年6月30日到期）" in text


async def test_bulletin_praises_a_unit_that_finished_on_time(ledger: Database) -> None:
    await seed_history(ledger)
    doc = _open(await bulletin_document(ledger, week_period(date(2022, 6, 29)), NOW, SH))
    text = _text(doc)
    assert "综合办：本期1个任务节点均按时完成，办结1项（7.3 持续加强民政基础性工作）。" in text


async def test_half_year_summary_for_a_unit_and_the_bureau(ledger: Database) -> None:
    await seed_history(ledger)
    unit = _open(await summary_document(ledger, half_period(2022, 1), "社区科", NOW, SH))
    assert _styled(unit, "Title") == ["社区科2022年上半年工作要点落实情况报告"]
    assert _styled(unit, "Heading 1") == [
        "一、总体进展", "二、重点任务落实情况", "三、存在的问题", "四、下一步工作打算",
    ]  # fmt: skip
    sections = _styled(unit, "Heading 2")
    assert len(sections) == 15  # 社区科 carries 15 (task, unit) rows
    assert sections[0].startswith("（一）1.1 ")
    text = _text(unit)
    assert "6月28日，60% 已指导5个社区。" in text
    assert "（初稿，供修改完善）" in text
    assert len(unit.tables) == 15  # one milestone table per task

    bureau = _open(await summary_document(ledger, year_period(2022), None, NOW, SH))
    assert _styled(bureau, "Title") == ["2022年工作要点落实情况报告（年终）"]
    assert len(_styled(bureau, "Heading 2")) == 29
    text = _text(bureau)
    assert "社救科：资金未到位" in text or "资金未到位" in text
    assert "印发文件已逾期154天" in text
    assert "2022年1月1日至2022年7月4日" in text


async def test_an_office_template_overrides_the_shipped_one(
    ledger: Database, tmp_path: Path
) -> None:
    template = notice_template()
    template.add_paragraph("（本单一式两份）")
    template.save(str(tmp_path / "notice.docx"))
    doc = _open(await notice_document(ledger, "2.1", "社救科", NOW, SH, templates_dir=tmp_path))
    assert doc.paragraphs[-1].text == "（本单一式两份）"


@pytest.fixture
async def sqlite_ledger(sqlite_url: str) -> AsyncIterator[Database]:
    """A seeded ledger on SQLite only: LibreOffice's work does not depend on the database."""
    db = await open_ledger(sqlite_url, default_plan_path(), LEDGER_NOW)
    try:
        await seed_history(db)
        yield db
    finally:
        await db.close()


@pytest.mark.slow
async def test_the_documents_convert_to_pdf_with_libreoffice(
    sqlite_ledger: Database, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("soffice is missing: run .ci/install-browser (libreoffice-writer-nogui)")
    ledger = sqlite_ledger
    files = {
        "notice.docx": await notice_document(ledger, "2.1", "社救科", NOW, SH),
        "bulletin.docx": await bulletin_document(ledger, month_period("2022-06"), NOW, SH),
        "summary.docx": await summary_document(ledger, half_period(2022, 1), "社区科", NOW, SH),
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    profile = (tmp_path / "lo-profile").as_uri()
    done = await asyncio.to_thread(
        subprocess.run,
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *(str(tmp_path / n) for n in files)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in files:
        pdf = (tmp_path / name).with_suffix(".pdf").read_bytes()
        assert pdf.startswith(b"%PDF-")
        # A4 pages (595 × 842 points), and as many as the text needs.
        assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+\s*\]", pdf), name
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
