"""A PNG of status per unit: stacked bars in the lights' colours, labelled in Chinese."""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # never a GUI: the service and CI have no display

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from reports.model import CATEGORIES, CATEGORY_NAMES, Category, Digest
from vocabulary import cn_date

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Droid Sans Fallback",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
)
# Files worth registering when matplotlib's font cache predates the font's installation.
CJK_FILE = re.compile(r"cjk|sourcehan|wqy|wenquanyi|droidsansfallback|simhei|msyh|pingfang", re.I)
SAMPLE = "督办科室已完成逾期困难进行中未启动截至月日社救区会事务助管理站殡葬婚姻综合"

COLOURS: dict[Category, str] = {
    "done": "#2e7d32",
    "overdue": "#d32f2f",
    "blocked": "#f59e0b",
    "in_progress": "#1e88e5",
    "not_started": "#bdbdbd",
}
LABELS_ZH = CATEGORY_NAMES
LABELS_EN: dict[Category, str] = {
    "done": "done",
    "overdue": "overdue",
    "blocked": "blocked",
    "in_progress": "in progress",
    "not_started": "not started",
}


@dataclass(frozen=True, slots=True)
class CjkFont:
    """A font matplotlib can resolve by family name, checked to hold Chinese glyphs."""

    family: str
    path: str
    face_index: int = 0


def font_covers(path: str, text: str, face_index: int = 0) -> bool:
    """Return True if the font file has a glyph for every non-space character of text."""
    font = FT2Font(path, face_index=face_index)
    return all(font.get_char_index(ord(ch)) != 0 for ch in set(text) if not ch.isspace())


def _face_index(family: str, path: str) -> int:
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family and entry.fname == path:
            return int(getattr(entry, "index", 0))
    return 0


def _resolve(families: Iterable[str]) -> CjkFont | None:
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in families:
        if family not in known:
            continue
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        # matplotlib >= 3.10 returns a FontPath that knows its face inside a .ttc.
        index = int(getattr(path, "face_index", _face_index(family, str(path))))
        file_path = str(getattr(path, "path", path))
        if font_covers(file_path, SAMPLE, index):
            return CjkFont(family, file_path, index)
    return None


@functools.cache
def find_cjk_font() -> CjkFont | None:
    """Return an installed font with Chinese glyphs that matplotlib resolves, or None."""
    found = _resolve(CJK_FAMILIES)
    if found is None:
        for path in font_manager.findSystemFonts():
            if CJK_FILE.search(path):
                font_manager.fontManager.addfont(path)
        found = _resolve(CJK_FAMILIES)
    if found is None:
        log.warning(
            "no font with Chinese glyphs found (install fonts-noto-cjk); "
            "the chart uses English labels and unit numbers instead"
        )
    return found


def chart_figure(
    digest: Digest, find_font: Callable[[], CjkFont | None] = find_cjk_font
) -> Figure:
    """Return the status-per-unit figure (Chinese labels if a CJK font exists)."""
    font = find_font()
    units = [line.unit for line in digest.units]
    if font is not None:
        family = [font.family, "DejaVu Sans"]
        labels, names = LABELS_ZH, units
        day = digest.as_of.astimezone(digest.tz).date()
        title = f"各科室督办进展 · 截至{cn_date(day)}（{digest.totals.rows}项）"
    else:
        family = ["DejaVu Sans"]
        labels, names = LABELS_EN, [f"Unit {i}" for i in range(1, len(units) + 1)]
        # Units are numbered in the digest text's order, so the text is the key.
        title = f"Status per unit, {digest.week} ({digest.totals.rows} rows; units as in the text)"

    height = 1.2 + 0.55 * max(len(units), 1)
    fig = Figure(figsize=(9, height), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(units)))
    left = [0] * len(units)
    for category in CATEGORIES:
        values = [line.counts.of(category) for line in digest.units]
        bars = ax.barh(
            positions, values, left=left, color=COLOURS[category], label=labels[category]
        )
        for bar, value in zip(bars, values, strict=True):
            if value:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if category != "not_started" else "black",
                    family=family,
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions, names, family=family)
    ax.invert_yaxis()  # first unit on top, as in the text digest
    ax.set_title(title, family=family)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 if len(units) > 3 else -0.25),
        ncol=len(CATEGORIES),
        frameon=False,
        prop=font_manager.FontProperties(family=family),
    )
    fig.tight_layout()
    return fig


def render_chart(digest: Digest, find_font: Callable[[], CjkFont | None] = find_cjk_font) -> bytes:
    """Return the status-per-unit chart as PNG bytes."""
    fig = chart_figure(digest, find_font)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
