"""Plan files as offices pass them around: encodings, Word documents, Excel tables."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from plan_data import PlanFileError, load_plan

TEXT = (
    "东丽区民政局2022年工作要点\n"
    "一、增强兜底保障能力\n"
    "（一）构建综合救助格局。印发实施方案。\n"
    "责任科室：社救科\n"
    "完成时限：12月底\n"
    "（二）提升社区治理。\n"
    "责任科室：社区科、社救科\n"
    "完成时限：6月底前\n"
)


def shape(path: Path) -> list[tuple[str, str, tuple[str, ...], str]]:
    plan = load_plan(path)
    assert plan.year == 2022
    return [(t.id, t.title, t.units, t.deadline_text) for t in plan.tasks]


EXPECTED = [
    ("1.1", "构建综合救助格局", ("社救科",), "12月底"),
    ("1.2", "提升社区治理", ("社区科", "社救科"), "6月底前"),
]


def docx_table(path: Path, title: str, rows: list[list[str]]) -> Path:
    """Save a Word document of a title paragraph and one table of these rows."""
    document = Document()
    document.add_paragraph(title)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.save(str(path))
    return path


def test_gb18030_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(TEXT.encode("gb18030"))
    assert shape(path) == EXPECTED


def test_utf16_with_bom_as_windows_notepad_saves_it(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("utf-16"))
    assert shape(path) == EXPECTED


def test_bytes_that_are_no_known_encoding_give_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(b"\x81\x30\xff\xff" * 4)
    with pytest.raises(PlanFileError, match="neither UTF-8 nor GB18030"):
        load_plan(path)


def test_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("utf-8-sig"))
    assert shape(path) == EXPECTED
    assert load_plan(path).title == "东丽区民政局2022年工作要点"


def test_docx_paragraphs_read_like_text(tmp_path: Path) -> None:
    document = Document()
    for line in TEXT.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "plan.docx"
    document.save(str(path))
    assert shape(path) == EXPECTED
    assert load_plan(path).tasks[1].line == 6


def test_docx_task_table_with_title_paragraph(tmp_path: Path) -> None:
    rows = [
        ["序号", "重点任务", "具体要求", "责任科室", "完成时限"],
        ["1", "构建综合救助格局", "印发实施方案。", "社救科", "12月底"],
        ["2", "提升社区治理", "完善机制。", "社区科、社救科", "6月底前"],
    ]
    path = docx_table(tmp_path / "plan.docx", "东丽区民政局2022年重点任务分解表", rows)
    plan = load_plan(path)
    assert plan.title == "东丽区民政局2022年重点任务分解表"
    assert shape(path) == EXPECTED
    assert plan.tasks[0].body == "印发实施方案。"


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "任务分解表"
    sheet.append(["东丽区民政局2022年工作要点任务分解表"])
    sheet.merge_cells("A1:F1")
    sheet.append(["类别", "序号", "工作任务", "具体要求", "牵头单位", "配合单位", "时限要求"])
    sheet.append(
        ["兜底保障", 1, "构建综合救助格局", "印发方案", "社救科", "社区科", "1月印发文件"]
    )
    sheet.append([None, 2, "落实救助制度", "全面落实", "社救科", None, "12月底"])
    sheet.append([None, None, None, None, None, "殡葬科", None])
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("B4:B5")
    sheet.merge_cells("C4:C5")
    sheet.append(["社区治理", 3, "（一）加强社区建设。", "完善机制", "社区科", None, "12月底前"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_task_table_with_merged_cells_and_title_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes())
    plan = load_plan(path)
    assert plan.year == 2022
    assert plan.title == "东丽区民政局2022年工作要点任务分解表"
    assert [(t.id, t.chapter, t.title) for t in plan.tasks] == [
        ("1.1", "兜底保障", "构建综合救助格局"),
        ("1.2", "兜底保障", "落实救助制度"),
        ("2.1", "社区治理", "加强社区建设"),
    ]
    first, second, third = plan.tasks
    assert [(o.unit, o.role) for o in first.owners] == [
        ("社救科", "lead"),
        ("社区科", "cooperating"),
    ]
    assert [(o.unit, o.role) for o in second.owners] == [
        ("社救科", "lead"),
        ("殡葬科", "cooperating"),
    ]
    assert first.deadline_text == "1月印发文件"
    assert first.body == "印发方案"
    assert third.line == 6
    assert plan.units == ("社救科", "社区科", "殡葬科")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "plan file not found"),
        ("empty.txt", b"  \n", "plan file is empty"),
        ("plan.pdf", b"%PDF", "unknown plan file type '.pdf'"),
        ("plan.doc", b"\xd0\xcf\x11\xe0", "old binary Office file; save it as .docx or .xlsx"),
        ("bad.docx", b"not a zip", "cannot read Word file"),
        ("bad.xlsx", b"not a zip", "cannot read Excel file"),
    ],
)
def test_unreadable_files_give_one_clear_line(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PlanFileError, match=message) as caught:
        load_plan(path)
    assert "\n" not in str(caught.value)


def test_docx_with_word_automatic_numbering(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("东丽区民政局2022年工作要点")
    document.add_paragraph("一、增强兜底保障能力")
    document.add_paragraph("构建综合救助格局。印发实施方案。", style="List Number")
    document.add_paragraph("责任科室：社救科")
    document.add_paragraph("完成时限：12月底")
    document.add_paragraph("提升社区治理。", style="List Number")
    document.add_paragraph("责任科室：社区科、社救科")
    document.add_paragraph("完成时限：6月底前")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    assert shape(path) == EXPECTED


def test_docx_table_ignores_person_columns_and_reads_a_lone_detail_column(tmp_path: Path) -> None:
    rows = [
        ["序号", "具体工作任务", "责任领导", "责任单位", "时间节点"],
        ["1", "构建综合救助格局", "王局长", "社救科", "12月底"],
        ["2", "提升社区治理", "李局长", "社区科、社救科", "6月底前"],
    ]
    path = docx_table(tmp_path / "plan.docx", "2022年任务清单", rows)
    assert shape(path) == EXPECTED


def test_docx_paragraph_with_soft_line_breaks(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("东丽区民政局2022年工作要点\n一、增强兜底保障能力")
    document.add_paragraph("（一）构建综合救助格局。印发实施方案。\n责任科室：社救科\n完成时限：12月底")
    document.add_paragraph("（二）提升社区治理。\n责任科室：社区科、社救科\n完成时限：6月底前")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    assert shape(path) == EXPECTED
    assert [t.line for t in load_plan(path).tasks] == [2, 3]


def test_xlsx_chapter_rows_spread_over_the_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2022年重点工作任务清单"])
    sheet.append(["序号", "重点任务", "工作内容", "责任科室", "完成时间", "备注"])
    sheet.append(["一、兜底保障"])
    sheet.merge_cells("A3:F3")
    sheet.append([1, "构建综合救助格局", "印发方案", "社救科", "12月底", "无"])
    sheet.append(["二、社区治理"])
    sheet.merge_cells("A5:F5")
    sheet.append([2, "提升社区治理", "完善机制", "社区科、社救科", "6月底前", None])
    sheet.append([None, None, "开展培训", None, None, None])
    path = tmp_path / "plan.xlsx"
    book.save(str(path))
    plan = load_plan(path)
    assert [(t.id, t.chapter, t.title, t.body) for t in plan.tasks] == [
        ("1.1", "兜底保障", "构建综合救助格局", "印发方案"),
        ("2.1", "社区治理", "提升社区治理", "完善机制开展培训"),
    ]
    assert plan.tasks[1].units == ("社区科", "社救科")
    assert [h.title for h in plan.headings] == ["兜底保障", "社区治理"]


def test_docx_table_with_a_vertically_merged_task_cell(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("2022年任务分解表")
    table = document.add_table(rows=3, cols=3)
    for c, value in enumerate(["工作任务", "牵头单位", "完成时限"]):
        table.cell(0, c).text = value
    merged = table.cell(1, 0).merge(table.cell(2, 0))
    merged.text = "构建综合救助格局"
    table.cell(1, 1).text = "社救科"
    table.cell(1, 2).text = "6月底前"
    table.cell(2, 1).text = "社区科"
    table.cell(2, 2).text = "12月底"
    path = tmp_path / "plan.docx"
    document.save(str(path))
    (task,) = load_plan(path).tasks
    assert [(o.unit, o.role) for o in task.owners] == [("社救科", "lead"), ("社区科", "lead")]
    assert task.deadline_text == "6月底前，12月底"


def test_xlsx_two_header_rows_split_lead_and_cooperating_units(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "重点任务", "责任单位", None, "完成时限"])
    sheet.append([None, None, "牵头单位", "配合单位", None])
    sheet.merge_cells("C1:D1")
    sheet.append([1, "构建综合救助格局", "社救科", "社区科", "12月底"])
    path = tmp_path / "plan.xlsx"
    book.save(str(path))
    (task,) = load_plan(path, year=2022).tasks
    roles = [(o.unit, o.role) for o in task.owners]
    assert roles == [("社救科", "lead"), ("社区科", "cooperating")]
