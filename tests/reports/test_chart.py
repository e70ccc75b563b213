"""The status chart: real PNG, Chinese drawn with a font that has the glyphs."""

from __future__ import annotations

from matplotlib import font_manager
from matplotlib.text import Text

from reports.chart import chart_figure, find_cjk_font, font_covers, render_chart
from reports.digest import compute_digest
from tests.reports.rows import AS_OF, EXTENSIONS, sample_rows

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _texts() -> list[Text]:
    digest = compute_digest(sample_rows(), EXTENSIONS, AS_OF)
    fig = chart_figure(digest)
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def test_a_cjk_font_is_installed_and_has_the_glyphs() -> None:
    font = find_cjk_font()
    assert font is not None, "install a CJK font: apt-get install fonts-noto-cjk"
    assert font_covers(font.path, "社救科社会事务科殡葬科婚姻科综合办救助管理站", font.face_index)


def test_every_chinese_label_resolves_to_a_font_with_its_glyphs() -> None:
    texts = _texts()
    chinese = [t for t in texts if any(ord(ch) > 0x2E80 for ch in t.get_text())]
    assert {"社救科", "社会事务科", "已完成", "逾期", "未启动"} <= {t.get_text() for t in chinese}
    for text in chinese:
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        index = int(getattr(path, "face_index", 0))
        assert font_covers(str(getattr(path, "path", path)), text.get_text(), index), (
            text.get_text(),
            path,
        )


def test_png_is_drawn_without_missing_glyph_warnings() -> None:
    # pytest turns warnings into errors, so a "Glyph missing" warning would fail here.
    png = render_chart(compute_digest(sample_rows(), EXTENSIONS, AS_OF))
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 10_000


def test_without_a_cjk_font_labels_fall_back_to_ascii() -> None:
    digest = compute_digest(sample_rows(), EXTENSIONS, AS_OF)
    fig = chart_figure(digest, find_font=lambda: None)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
    assert "Unit 1" in labels
    assert "overdue" in labels
    assert all(text.isascii() for text in labels)
    assert render_chart(digest, find_font=lambda: None).startswith(PNG_MAGIC)
