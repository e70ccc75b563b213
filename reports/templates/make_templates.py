"""Write the three Word templates of the documents (督办通知单, 督查通报, 落实情况报告).

Run: .venv/bin/python reports/templates/make_templates.py [FOLDER]
(default: this folder). The .docx files it writes are what `reports/documents` fills with
docxtpl; an office may open them in Word, restyle fonts, margins, the 落款 or the wording
around the {{ … }} fields, and put the result in DUBAN_TEMPLATES_DIR. Keep each tag in one
run (type it in one go), and keep the {%p …%} and {%tr …%} lines: they repeat paragraphs
and table rows.

公文 style (GB/T 9704): A4, margins 37/35/28/26 mm, body 仿宋 三号 (16 pt) at 28 pt line
spacing, first-level headings 黑体, second-level 楷体, title 宋体 二号 bold, page numbers
"— 1 —" in the footer. The names are the fonts every Chinese Windows has; elsewhere
(LibreOffice on Linux) fontconfig substitutes a CJK serif or sans font.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TEXT_WIDTH = 210 - 28 - 26  # mm between the margins


def _fonts(style_or_run: Any, east_asia: str, size: float, bold: bool = False) -> None:
    font = style_or_run.font
    font.name = LATIN_FONT
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), east_asia if attr == "w:eastAsia" else LATIN_FONT)
    fonts.set(qn("w:hint"), "eastAsia")


def new_document() -> DocumentObject:
    """Return an empty A4 document with the 公文 styles and a page-number footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = pf.space_after = Pt(0)
    for name, font, size in (
        ("Title", TITLE_FONT, 22),
        ("Heading 1", HEADING_FONT, 16),
        ("Heading 2", SUBHEADING_FONT, 16),
    ):
        style = doc.styles[name]
        _fonts(style, font, size, bold=name == "Title")
        spf = style.paragraph_format
        spf.space_before = spf.space_after = Pt(0)
        spf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        spf.line_spacing = Pt(36 if name == "Title" else 28)
        spf.keep_with_next = True
        if name == "Title":
            spf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # Word's Title style draws a rule under the title; a 公文 title has none.
            ppr = style.element.get_or_add_pPr()
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)
    _page_numbers(doc)
    return doc


def _page_numbers(doc: DocumentObject) -> None:
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(" —")
    for r in paragraph.runs:
        _fonts(r, TITLE_FONT, 14)


def para(doc: DocumentObject, text: str, style: str | None = None, *, indent: bool = True,
         align: str | None = None) -> Paragraph:  # fmt: skip
    """Add a paragraph (first line indented two characters unless told otherwise)."""
    p = doc.add_paragraph(text, style=style)
    if indent and style is None:
        p.paragraph_format.first_line_indent = Pt(32)
    if align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def table(doc: DocumentObject, headers: list[str], cells: list[str], loop: str) -> Table:
    """Add a bordered table: a header row, then one row repeated by a {%tr for …%} loop."""
    t: Table = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, header in enumerate(headers):
        _cell(t, 0, i, header, bold=True)
    _cell(t, 1, 0, f"{{%tr for {loop} %}}")
    for i, text in enumerate(cells):
        _cell(t, 2, i, text)
    _cell(t, 3, 0, "{%tr endfor %}")
    widths(t, [TEXT_WIDTH / len(headers)] * len(headers))
    return t


def widths(t: Table, millimetres: list[float]) -> None:
    """Fix the column widths (Word and LibreOffice both honour the grid and the cells)."""
    t.autofit = False
    for column, width in zip(t.columns, millimetres, strict=True):
        column.width = Mm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, millimetres, strict=True):
            cell.width = Mm(width)


def _cell(t: Table, row: int, col: int, text: str, bold: bool = False) -> None:
    cell = t.cell(row, col)
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = Pt(20)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    _fonts(run, HEADING_FONT if bold else BODY_FONT, 12)


def notice() -> DocumentObject:
    """Return the 督办通知单 template."""
    doc = new_document()
    para(doc, "{{ org }}", indent=False, align="center")
    doc.add_paragraph("督办通知单", style="Title")
    para(doc, "{{ number }}", indent=False, align="center")
    t = doc.add_table(rows=0, cols=2)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in (
        ("编号", "{{ number }}"),
        ("督办事项", "{{ matter }}"),
        ("责任科室", "{{ unit }}"),
        ("原定时限", "{{ original_due }}"),
        ("办理情况", "{{ progress }}"),
        ("督办要求", "{{ requirement }}"),
        ("反馈时限", "{{ reply_by }}"),
    ):
        t.add_row()
        _cell(t, len(t.rows) - 1, 0, label, bold=True)
        _cell(t, len(t.rows) - 1, 1, value)
    widths(t, [30, TEXT_WIDTH - 30])
    para(doc, "")
    para(doc, "{{ issuer }}", indent=False, align="right")
    para(doc, "{{ issued_on }}", indent=False, align="right")
    return doc


def bulletin() -> DocumentObject:
    """Return the 督查通报 template."""
    doc = new_document()
    doc.add_paragraph("督查通报", style="Title")
    para(doc, "{{ number }}", indent=False, align="center")
    para(doc, "{{ issuer }}　　　　　　　　{{ issued_on }}", indent=False, align="center")
    para(doc, "{{ opening }}")
    doc.add_paragraph("一、总体情况", style="Heading 1")
    para(doc, "{{ overview }}")
    doc.add_paragraph("二、各科室落实情况", style="Heading 1")
    table(
        doc,
        ["科室", "应完成节点", "按时完成", "逾期完成", "逾期未完成", "未报进展",
         "本期办结事项", "当前逾期事项"],
        ["{{ u.unit }}", "{{ u.due }}", "{{ u.on_time }}", "{{ u.late_done }}",
         "{{ u.late_open }}", "{{ u.not_reported }}", "{{ u.finished }}", "{{ u.overdue }}"],
        "u in units",
    )  # fmt: skip
    doc.add_paragraph("三、表扬", style="Heading 1")
    para(doc, "{%p for line in praise %}", indent=False)
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}", indent=False)
    doc.add_paragraph("四、督促", style="Heading 1")
    para(doc, "{%p for line in urge %}", indent=False)
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}", indent=False)
    doc.add_paragraph("五、工作要求", style="Heading 1")
    para(doc, "{{ closing }}")
    para(doc, "")
    para(doc, "{{ issuer }}", indent=False, align="right")
    para(doc, "{{ issued_on }}", indent=False, align="right")
    return doc


def summary() -> DocumentObject:
    """Return the 工作要点落实情况报告 template."""
    doc = new_document()
    doc.add_paragraph("{{ title }}", style="Title")
    para(doc, "{{ draft_mark }}", indent=False, align="center")
    para(doc, "{{ opening }}")
    doc.add_paragraph("一、总体进展", style="Heading 1")
    para(doc, "{{ overview }}")
    doc.add_paragraph("二、重点任务落实情况", style="Heading 1")
    para(doc, "{%p for t in tasks %}", indent=False)
    doc.add_paragraph("{{ t.heading }}", style="Heading 2")
    para(doc, "{{ t.owners }}")
    table(
        doc,
        ["节点", "时限", "完成情况"],
        ["{{ m.action }}", "{{ m.when }}", "{{ m.state }}"],
        "m in t.milestones",
    )
    para(doc, "{%p for line in t.done %}", indent=False)
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}", indent=False)
    para(doc, "{{ t.targets }}")
    para(doc, "{{ t.problems }}")
    para(doc, "{%p endfor %}", indent=False)
    doc.add_paragraph("三、存在的问题", style="Heading 1")
    para(doc, "{%p for line in problems %}", indent=False)
    para(doc, "{{ line }}")
    para(doc, "{%p endfor %}", indent=False)
    doc.add_paragraph("四、下一步工作打算", style="Heading 1")
    para(doc, "{{ next_steps }}")
    para(doc, "")
    para(doc, "{{ issuer }}", indent=False, align="right")
    para(doc, "{{ issued_on }}", indent=False, align="right")
    return doc


TEMPLATES = {"notice.docx": notice, "bulletin.docx": bulletin, "summary.docx": summary}


def main(folder: Path = HERE) -> None:
    """Write every template into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        build().save(str(folder / name))
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
